#include "harness/sampling/process_sampler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <system_error>
#include <thread>

#include "tests/unit/harness/sampling/forked_child.h"

namespace iomb::sampling {
namespace {

using std::chrono::milliseconds;

TEST(ProcessSampler, TracksCpuAndSeriesOfABusyChild) {
  testing::ForkedChild child([] { testing::burn_cpu(0.3); });
  ProcessSampler sampler(child.pid(), /*include_children=*/false, milliseconds(10),
                         milliseconds(50));
  sampler.start();
  ASSERT_TRUE(child.go());
  ASSERT_TRUE(child.wait_done());
  // stop() samples once more, so a window longer than one period always ends with a point.
  std::this_thread::sleep_for(milliseconds(120));
  ProcessSampler::Result result = sampler.stop();
  EXPECT_FALSE(result.process_gone) << result.error;
  EXPECT_GT(result.end.user_s, result.begin.user_s + 0.1);
  EXPECT_GE(result.rss_peak_kib, result.end.rss_kib);
  EXPECT_GE(result.rss_peak_kib, result.begin.rss_kib);
  ASSERT_FALSE(result.series.empty());
  double previous_t = 0;
  double cpu_sum = 0;
  for (const SamplePoint& point : result.series) {
    EXPECT_GT(point.t_s, previous_t);
    EXPECT_GE(point.cpu_util, 0);
    EXPECT_GT(point.rss_kib, 0);
    previous_t = point.t_s;
    cpu_sum += point.cpu_util;
  }
  EXPECT_GT(cpu_sum, 0);
}

TEST(ProcessSampler, ReportsAProcessThatExitedDuringTheWindow) {
  auto child = std::make_unique<testing::ForkedChild>([] {});
  ProcessSampler sampler(child->pid(), /*include_children=*/true);
  sampler.start();
  child.reset();  // exits and is reaped
  ProcessSampler::Result result = sampler.stop();
  EXPECT_TRUE(result.process_gone);
  EXPECT_FALSE(result.error.empty());
}

TEST(ProcessSampler, StartThrowsForAMissingProcess) {
  auto child = std::make_unique<testing::ForkedChild>([] {});
  pid_t pid = child->pid();
  child.reset();
  ProcessSampler sampler(pid, false);
  EXPECT_THROW(sampler.start(), std::system_error);
}

}  // namespace
}  // namespace iomb::sampling
