#include "harness/sampling/syscall_counter.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tests/unit/harness/sampling/forked_child.h"

namespace iomb::sampling {
namespace {

constexpr int kCalls = 10000;
// The child's own syscalls inside the window besides the getppid calls: the read that wakes
// it, the write that reports done, the read it blocks in again.
constexpr uint64_t kOverhead = 50;

TEST(SyscallCounter, CountsAKnownNumberOfSyscalls) {
  std::string why;
  if (!SyscallCounter::available(&why)) GTEST_SKIP() << "perf unavailable: " << why;
  testing::ForkedChild child([] {
    for (int i = 0; i < kCalls; ++i) syscall(SYS_getppid);  // not cached by libc
  });
  SyscallCounter counter;
  counter.start(child.pid());
  ASSERT_TRUE(child.go());
  ASSERT_TRUE(child.wait_done());
  SyscallCounter::Counts counts = counter.stop();
  ASSERT_TRUE(counts.ok) << counts.error;
  EXPECT_GE(counts.syscalls, static_cast<uint64_t>(kCalls));
  EXPECT_LT(counts.syscalls, kCalls + kOverhead);
}

TEST(SyscallCounter, WindowExcludesWorkBeforeStart) {
  std::string why;
  if (!SyscallCounter::available(&why)) GTEST_SKIP() << "perf unavailable: " << why;
  testing::ForkedChild child([] {
    for (int i = 0; i < kCalls; ++i) syscall(SYS_getppid);
  });
  ASSERT_TRUE(child.go());
  ASSERT_TRUE(child.wait_done());
  SyscallCounter counter;
  counter.start(child.pid());  // the child now only sleeps in read()
  SyscallCounter::Counts counts = counter.stop();
  ASSERT_TRUE(counts.ok) << counts.error;
  EXPECT_LT(counts.syscalls, kOverhead);
}

TEST(SyscallCounter, ReportsAMissingProcess) {
  std::string why;
  if (!SyscallCounter::available(&why)) GTEST_SKIP() << "perf unavailable: " << why;
  auto child = std::make_unique<testing::ForkedChild>([] {});
  pid_t pid = child->pid();
  child.reset();
  SyscallCounter counter;
  counter.start(pid);
  SyscallCounter::Counts counts = counter.stop();
  EXPECT_FALSE(counts.ok);
  EXPECT_FALSE(counts.error.empty());
}

TEST(SyscallCounter, StopWithoutStartIsAnError) {
  SyscallCounter counter;
  SyscallCounter::Counts counts = counter.stop();
  EXPECT_FALSE(counts.ok);
  EXPECT_FALSE(counts.error.empty());
}

}  // namespace
}  // namespace iomb::sampling
