// measure_floor against the real iomb-floor binary (bench/): runs two Google Benchmark rows
// for about a second. Skipped when the benchmarks are not built (asan/tsan presets).
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "harness/run/floor.h"

namespace iomb::harness {
namespace {

TEST(MeasureFloor, RunsIombFloorAndGetsPlausibleValues) {
  const std::string binary = std::string(IOMB_BIN_DIR) + "/iomb-floor";
  if (access(binary.c_str(), X_OK) != 0) {
    GTEST_SKIP() << binary << " not built (IOMB_BUILD_BENCHMARKS=OFF in this preset)";
  }
  std::string why;
  auto floor = measure_floor(binary, &why);
  ASSERT_TRUE(floor.has_value()) << why;
  // Plausibility, not timing: a loopback recv+send is kernel work of microseconds; below
  // 100 ns or above 1 ms per message means the parse or the benchmark is wrong.
  for (double ns : {floor->recv_send_64_ns, floor->recv_send_4k_ns}) {
    EXPECT_GT(ns, 100.0);
    EXPECT_LT(ns, 1e6);
  }
  EXPECT_NE(floor->source.find("iomb-floor"), std::string::npos);
}

}  // namespace
}  // namespace iomb::harness
