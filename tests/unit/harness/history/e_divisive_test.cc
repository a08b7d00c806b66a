#include "harness/history/e_divisive.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace iomb::history {
namespace {

// Deterministic noise in [-amplitude, amplitude] (a 64-bit LCG, independent of the algorithm's).
class Noise {
 public:
  explicit Noise(uint64_t seed) : state_(seed) {}
  double next(double amplitude) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    const double unit = static_cast<double>(state_ >> 11) / static_cast<double>(1ULL << 53);
    return (2 * unit - 1) * amplitude;
  }

 private:
  uint64_t state_;
};

// `count` points around `level`, noise of ±2 %.
void append(std::vector<double>& series, size_t count, double level, Noise& noise) {
  for (size_t i = 0; i < count; ++i) series.push_back(level + noise.next(level * 0.02));
}

std::vector<size_t> indices(const std::vector<ChangePoint>& points) {
  std::vector<size_t> out;
  for (const ChangePoint& p : points) out.push_back(p.index);
  return out;
}

TEST(HistoryEnergyStatistic, TwoSeparatedPairs) {
  // Between sum 4 over 4 pairs, nothing within: Q = (2·2/4) · (2·4/4) = 2.
  const std::vector<double> series = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(energy_statistic(series, 2), 2.0);
  EXPECT_THROW(energy_statistic(series, 1), std::invalid_argument);
}

TEST(HistoryEDivisive, FindsACleanStepAtItsIndex) {
  Noise noise(1);
  std::vector<double> series;
  append(series, 10, 100, noise);
  append(series, 10, 120, noise);
  const auto points = e_divisive(series, EDivisiveOptions{});
  ASSERT_EQ(indices(points), std::vector<size_t>{10});
  EXPECT_LE(points[0].p_value, 0.05);
  EXPECT_NEAR(points[0].p_value, 1.0 / 200, 1e-12);  // no permutation scores as high
  // The search's maximum covers the right side up to the end, computed directly here.
  EXPECT_GE(points[0].statistic * (1 + 1e-9), energy_statistic(series, 10));
}

TEST(HistoryEDivisive, FlatNoisySeriesHasNoChangePoint) {
  Noise noise(7);
  std::vector<double> series;
  append(series, 30, 100, noise);
  EXPECT_TRUE(e_divisive(series, EDivisiveOptions{}).empty());
}

TEST(HistoryEDivisive, ConstantSeriesHasNoChangePoint) {
  const std::vector<double> series(12, 5.0);
  EXPECT_TRUE(e_divisive(series, EDivisiveOptions{}).empty());
}

TEST(HistoryEDivisive, TwoStepsGiveTwoChangePoints) {
  Noise noise(3);
  std::vector<double> series;
  append(series, 10, 100, noise);
  append(series, 10, 130, noise);
  append(series, 10, 100, noise);
  const auto points = e_divisive(series, EDivisiveOptions{});
  EXPECT_EQ(indices(points), (std::vector<size_t>{10, 20}));
  for (const ChangePoint& p : points) EXPECT_LE(p.p_value, 0.05);
}

TEST(HistoryEDivisive, MinimumSegmentIsHonoured) {
  Noise noise(5);
  std::vector<double> series;
  append(series, 2, 100, noise);  // the step is two points in
  append(series, 16, 150, noise);
  EDivisiveOptions options;
  options.min_segment = 2;
  EXPECT_EQ(indices(e_divisive(series, options)), std::vector<size_t>{2});
  options.min_segment = 3;
  for (const ChangePoint& p : e_divisive(series, options)) {
    EXPECT_GE(p.index, 3u);
    EXPECT_LE(p.index, series.size() - 3);
  }
  // Too short for two segments of 10: nothing can be reported.
  options.min_segment = 10;
  EXPECT_TRUE(e_divisive(series, options).empty());
}

TEST(HistoryEDivisive, SameSeedSameAnswer) {
  Noise noise(11);
  std::vector<double> series;
  append(series, 8, 100, noise);
  append(series, 8, 104, noise);  // a small step: the p-value is not at its floor
  EDivisiveOptions options;
  options.max_p_value = 0.5;
  const auto first = e_divisive(series, options);
  const auto second = e_divisive(series, options);
  ASSERT_EQ(first.size(), second.size());
  ASSERT_FALSE(first.empty());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].index, second[i].index);
    EXPECT_EQ(first[i].p_value, second[i].p_value);
    EXPECT_EQ(first[i].statistic, second[i].statistic);
  }
}

TEST(HistoryEDivisive, RefusesBadOptions) {
  const std::vector<double> series(10, 1.0);
  EDivisiveOptions options;
  options.min_segment = 1;
  EXPECT_THROW(e_divisive(series, options), std::invalid_argument);
  options = {};
  options.permutations = 0;
  EXPECT_THROW(e_divisive(series, options), std::invalid_argument);
  options = {};
  options.max_p_value = 1;
  EXPECT_THROW(e_divisive(series, options), std::invalid_argument);
}

}  // namespace
}  // namespace iomb::history
