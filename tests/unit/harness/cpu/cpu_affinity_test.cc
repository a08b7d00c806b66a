#include "harness/cpu/cpu_affinity.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "harness/sampling/proc_files.h"
#include "tests/unit/harness/sampling/forked_child.h"

namespace iomb::cpu {
namespace {

std::vector<int> affinity_of(pid_t tid) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(tid, sizeof set, &set) != 0) return {};
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

TEST(DefaultCpuPlan, TwoCpusServerOnLastClientOnFirst) {
  CpuPlan plan = default_cpu_plan({0, 1});
  EXPECT_TRUE(plan.pinned);
  EXPECT_EQ(plan.server, (std::vector<int>{1}));
  EXPECT_EQ(plan.client, (std::vector<int>{0}));
  EXPECT_NE(plan.note.find("server on CPU 1"), std::string::npos) << plan.note;
}

TEST(DefaultCpuPlan, ManyCpusUnsortedWithGaps) {
  CpuPlan plan = default_cpu_plan({7, 2, 3, 5});
  EXPECT_TRUE(plan.pinned);
  EXPECT_EQ(plan.server, (std::vector<int>{7}));
  EXPECT_EQ(plan.client, (std::vector<int>{2, 3, 5}));
}

TEST(DefaultCpuPlan, OneCpuIsUnpinnedWithANote) {
  CpuPlan plan = default_cpu_plan({3});
  EXPECT_FALSE(plan.pinned);
  EXPECT_EQ(plan.server, (std::vector<int>{3}));
  EXPECT_EQ(plan.client, (std::vector<int>{3}));
  EXPECT_NE(plan.note.find("unpinned"), std::string::npos) << plan.note;
}

TEST(DefaultCpuPlan, NoCpusIsUnpinned) {
  CpuPlan plan = default_cpu_plan(std::vector<int>{});
  EXPECT_FALSE(plan.pinned);
  EXPECT_NE(plan.note.find("unpinned"), std::string::npos) << plan.note;
}

TEST(DefaultCpuPlan, RealMachineSplitsTheAllowedCpus) {
  std::vector<int> allowed = allowed_cpus();
  ASSERT_FALSE(allowed.empty());
  EXPECT_TRUE(std::is_sorted(allowed.begin(), allowed.end()));
  EXPECT_EQ(allowed, affinity_of(0));
  CpuPlan plan = default_cpu_plan();
  EXPECT_EQ(plan.pinned, allowed.size() >= 2);
  EXPECT_EQ(plan.server.back(), allowed.back());
  if (plan.pinned) {
    std::vector<int> together = plan.client;
    together.insert(together.end(), plan.server.begin(), plan.server.end());
    EXPECT_EQ(together, allowed);  // disjoint and complete
  }
}

TEST(PinProcess, PinsEveryThreadOfAChild) {
  std::vector<int> allowed = allowed_cpus();
  sampling::testing::ForkedChild child([] {
    // A second thread, so the pin has more than one task to move.
    std::thread idle([] { pause(); });
    idle.detach();
  });
  ASSERT_GT(child.pid(), 0);
  ASSERT_TRUE(child.go());
  ASSERT_TRUE(child.wait_done());
  const std::vector<int> target{allowed.back()};
  ASSERT_EQ(pin_process(child.pid(), target), 0);
  auto threads = sampling::list_threads(child.pid());
  ASSERT_EQ(threads.size(), 2u);
  for (pid_t tid : threads) EXPECT_EQ(affinity_of(tid), target) << "thread " << tid;
  EXPECT_EQ(pin_process_tree(child.pid(), allowed), 0);
  EXPECT_EQ(affinity_of(child.pid()), allowed);
}

TEST(PinProcess, ReportsErrorsAsNegativeErrno) {
  sampling::testing::ForkedChild child([] {});
  pid_t pid = child.pid();
  EXPECT_EQ(pin_process(pid, {}), -EINVAL);
  EXPECT_EQ(pin_process(pid, {kMaxCpu + 1}), -EINVAL);
  child.finish();
  EXPECT_EQ(pin_process(pid, {allowed_cpus().front()}), -ESRCH);
}

TEST(PinThisThread, PinsOnlyTheCallingThread) {
  std::vector<int> allowed = allowed_cpus();
  std::vector<int> seen;
  int rc = -1;
  std::thread worker([&] {
    rc = pin_this_thread({allowed.front()});
    seen = affinity_of(0);
  });
  worker.join();
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(seen, (std::vector<int>{allowed.front()}));
  EXPECT_EQ(affinity_of(0), allowed);  // the test's main thread is untouched
  EXPECT_EQ(pin_this_thread({}), -EINVAL);
}

}  // namespace
}  // namespace iomb::cpu
