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

ProcessUsage with_threads(std::map<pid_t, uint64_t> threads) {
  ProcessUsage u;
  for (const auto& [tid, count] : threads) u.voluntary_ctx += count;
  u.thread_ctx = std::move(threads);
  return u;
}

TEST(CtxSwitchesBetween, CountsPerThreadSoAnExitedThreadCannotMakeItNegative) {
  // Thread 11 (the warm-up connection's) exits during the window; thread 12 is born in it.
  const ProcessUsage begin = with_threads({{10, 100}, {11, 500}});
  const ProcessUsage end = with_threads({{10, 130}, {12, 40}});
  EXPECT_EQ(ctx_switches_between(begin, end), 30u + 40u);
  // The difference of the sums would have been 170 - 600: negative, clamped to 0 before.
  EXPECT_LT(end.voluntary_ctx, begin.voluntary_ctx);
}

TEST(CtxSwitchesBetween, WithoutPerThreadCountsUsesTheTotals) {
  ProcessUsage begin, end;
  begin.voluntary_ctx = 5;
  end.voluntary_ctx = 8;
  end.involuntary_ctx = 1;
  EXPECT_EQ(ctx_switches_between(begin, end), 4u);
  EXPECT_EQ(ctx_switches_between(end, begin), 0u);
}

TEST(ReadProcessUsage, CountsSwitchesPerThread) {
  ProcessUsage self = read_process_usage(getpid());
  ASSERT_FALSE(self.thread_ctx.empty());
  EXPECT_TRUE(self.thread_ctx.count(static_cast<pid_t>(gettid())));
  uint64_t sum = 0;
  for (const auto& [tid, count] : self.thread_ctx) sum += count;
  EXPECT_EQ(sum, self.voluntary_ctx + self.involuntary_ctx);
}

}  // namespace
}  // namespace iomb::sampling
