#include "harness/sampling/process_usage.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <system_error>

#include "tests/unit/harness/sampling/forked_child.h"

namespace iomb::sampling {
namespace {

constexpr long kTouchMiB = 64;

// Maps and writes every page of `mib` MiB (kept until the process exits).
void touch_memory(long mib) {
  size_t bytes = static_cast<size_t>(mib) << 20;
  void* block = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (block == MAP_FAILED) _exit(2);
  std::memset(block, 0x5a, bytes);
}

TEST(ReadProcessUsage, UserTimeGrowsWhileAChildBurnsCpu) {
  testing::ForkedChild child([] { testing::burn_cpu(0.3); });
  ASSERT_GT(child.pid(), 0);
  ProcessUsage before = read_process_usage(child.pid());
  ASSERT_TRUE(child.go());
  ASSERT_TRUE(child.wait_done());
  ProcessUsage after = read_process_usage(child.pid());
  // The child burned 0.3 s of its own CPU time, mostly in user space; /proc counts in ticks.
  EXPECT_GT(after.user_s, before.user_s + 0.1);
  EXPECT_GE(after.sys_s, before.sys_s);
  EXPECT_EQ(after.threads, 1);
  EXPECT_GT(after.voluntary_ctx + after.involuntary_ctx, 0u);
}

TEST(ReadProcessUsage, RssGrowsWhenAChildTouchesMemory) {
  testing::ForkedChild child([] { touch_memory(kTouchMiB); });
  ProcessUsage before = read_process_usage(child.pid());
  ASSERT_TRUE(child.go());
  ASSERT_TRUE(child.wait_done());
  ProcessUsage after = read_process_usage(child.pid());
  EXPECT_GE(after.rss_kib, before.rss_kib + kTouchMiB * 1024 / 2);
  EXPECT_GE(after.rss_peak_kib, after.rss_kib);
}

TEST(ReadProcessUsage, ThrowsForAGoneOrZombieProcess) {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  ASSERT_GT(pid, 0);
  // Until it is reaped the child is a zombie: it has no usage to read any more.
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);
  EXPECT_THROW(read_process_usage(pid), std::system_error);
  ASSERT_EQ(waitpid(pid, nullptr, 0), pid);
  EXPECT_THROW(read_process_usage(pid), std::system_error);
  EXPECT_THROW(read_process_tree_usage(pid), std::system_error);
}

TEST(ReadProcessTreeUsage, IncludesDescendants) {
  int ready[2];
  ASSERT_EQ(pipe2(ready, O_CLOEXEC), 0);
  testing::ForkedChild child([&] {
    pid_t grandchild = fork();
    if (grandchild == 0) {
      touch_memory(kTouchMiB);
      testing::burn_cpu(0.3);
      pid_t self = getpid();
      (void)!write(ready[1], &self, sizeof self);
      pause();
      _exit(0);
    }
    pid_t reported = 0;
    (void)!read(ready[0], &reported, sizeof reported);
    (void)!write(ready[1], &reported, sizeof reported);  // pass it on to the test
  });
  ASSERT_TRUE(child.go());
  ASSERT_TRUE(child.wait_done());
  pid_t grandchild = 0;
  ASSERT_EQ(read(ready[0], &grandchild, sizeof grandchild),
            static_cast<ssize_t>(sizeof grandchild));
  ProcessUsage alone = read_process_usage(child.pid());
  ProcessUsage tree = read_process_tree_usage(child.pid());
  EXPECT_GE(tree.rss_kib, alone.rss_kib + kTouchMiB * 1024 / 2);
  EXPECT_GT(tree.user_s, alone.user_s + 0.1);
  EXPECT_EQ(tree.threads, alone.threads + 1);
  kill(grandchild, SIGKILL);
  close(ready[0]);
  close(ready[1]);
}

TEST(ReadSelfUsage, ReportsThisProcess) {
  ProcessUsage before = read_self_usage();
  testing::burn_cpu(0.05);
  ProcessUsage after = read_self_usage();
  EXPECT_GT(after.user_s + after.sys_s, before.user_s + before.sys_s);
  EXPECT_GT(after.rss_kib, 0);
  EXPECT_GE(after.rss_peak_kib, after.rss_kib);
  EXPECT_GE(after.threads, 1);
}

TEST(ProcessUsageSum, AddsEveryField) {
  ProcessUsage a{1.0, 2.0, 10, 20, 1, 3, 4};
  ProcessUsage b{0.5, 0.25, 5, 6, 2, 7, 8};
  ProcessUsage sum = a + b;
  EXPECT_DOUBLE_EQ(sum.user_s, 1.5);
  EXPECT_DOUBLE_EQ(sum.sys_s, 2.25);
  EXPECT_DOUBLE_EQ(sum.cpu_s(), 3.75);
  EXPECT_EQ(sum.rss_kib, 15);
  EXPECT_EQ(sum.rss_peak_kib, 26);
  EXPECT_EQ(sum.threads, 3);
  EXPECT_EQ(sum.voluntary_ctx, 10u);
  EXPECT_EQ(sum.involuntary_ctx, 12u);
}

}  // namespace
}  // namespace iomb::sampling
