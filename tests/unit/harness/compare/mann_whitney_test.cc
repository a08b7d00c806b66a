#include "harness/compare/mann_whitney.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

namespace iomb::compare {
namespace {

using Sample = std::vector<double>;

// Brute-force exact two-sided p for tie-free samples: enumerate every way of choosing which
// nx of the pooled values are "x" and count the splits whose U is as extreme.
double brute_force_p(const Sample& x, const Sample& y) {
  Sample pooled = x;
  pooled.insert(pooled.end(), y.begin(), y.end());
  const size_t n = pooled.size(), nx = x.size();
  auto u_of = [&](unsigned mask) {
    double u = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!(mask & (1u << i))) continue;
      for (size_t j = 0; j < n; ++j) {
        if (!(mask & (1u << j)) && pooled[i] > pooled[j]) u += 1;
      }
    }
    return u;
  };
  const double observed = u_of((1u << nx) - 1);
  const double mean = static_cast<double>(nx * (n - nx)) / 2;
  double extreme = 0, total = 0;
  for (unsigned mask = 0; mask < (1u << n); ++mask) {
    if (static_cast<size_t>(__builtin_popcount(mask)) != nx) continue;
    total += 1;
    if (std::abs(u_of(mask) - mean) >= std::abs(observed - mean) - 1e-9) extreme += 1;
  }
  return std::min(1.0, extreme / total);
}

TEST(MannWhitney, CompletelySeparatedSmallSamples) {
  // U = 0 has one arrangement out of C(6,3) = 20: two-sided p = 2/20.
  auto r = mann_whitney_u(Sample{1, 2, 3}, Sample{4, 5, 6});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u_x, 0);
  EXPECT_DOUBLE_EQ(r.u_y, 9);
  EXPECT_DOUBLE_EQ(r.p_value, 0.1);
  // C(8,4) = 70 -> 2/70; C(10,5) = 252 -> 2/252.
  EXPECT_NEAR(mann_whitney_u(Sample{1, 2, 3, 4}, Sample{5, 6, 7, 8}).p_value, 2.0 / 70, 1e-12);
  EXPECT_NEAR(mann_whitney_u(Sample{6, 7, 8, 9, 10}, Sample{1, 2, 3, 4, 5}).p_value, 2.0 / 252,
              1e-12);
}

TEST(MannWhitney, InterleavedSamples) {
  // Ranks of x are 1, 3, 5: R = 9, U_x = 9 - 6 = 3. For 3 vs 3 the U counts for u = 0..3 are
  // 1, 1, 2, 3 of 20, so P(U <= 3) = 7/20 and p = 0.7.
  auto r = mann_whitney_u(Sample{1, 3, 5}, Sample{2, 4, 6});
  EXPECT_DOUBLE_EQ(r.u_x, 3);
  EXPECT_NEAR(r.p_value, 0.7, 1e-12);
}

TEST(MannWhitney, TortoiseAndHare) {
  // Finishing order T H H H H H T T T T T H (the classic illustration): tortoises at places
  // 1, 7..11, hares at 2..6 and 12. U_T = 25, U_H = 11; exact p = 2 * 143/924 = 13/42.
  auto r = mann_whitney_u(Sample{1, 7, 8, 9, 10, 11}, Sample{2, 3, 4, 5, 6, 12});
  EXPECT_DOUBLE_EQ(r.u_x, 25);
  EXPECT_DOUBLE_EQ(r.u_y, 11);
  EXPECT_NEAR(r.p_value, 13.0 / 42, 1e-12);
}

TEST(MannWhitney, ExactMatchesBruteForceOnRandomSamples) {
  std::mt19937 rng(12345);
  std::uniform_real_distribution<double> value(0, 1);
  for (int trial = 0; trial < 40; ++trial) {
    const size_t nx = 1 + trial % 6, ny = 1 + (trial / 6) % 7;
    Sample x(nx), y(ny);
    for (double& v : x) v = value(rng);
    for (double& v : y) v = value(rng) + 0.3;  // shifted, so small p-values occur too
    auto r = mann_whitney_u(x, y);
    ASSERT_TRUE(r.exact);
    EXPECT_NEAR(r.p_value, brute_force_p(x, y), 1e-12) << "nx=" << nx << " ny=" << ny;
    EXPECT_DOUBLE_EQ(r.u_x + r.u_y, static_cast<double>(nx * ny));
  }
}

TEST(MannWhitney, NormalApproximationWithTies) {
  // x = {1,2,2,3}, y = {2,3,4,4,5}. Mid-ranks: 1->1, 2->3 (three tied), 3->5.5, 4->7.5, 5->9.
  // R_x = 1+3+3+5.5 = 12.5, U_x = 12.5 - 10 = 2.5, mean 10. Ties 3,2,2: sum(t^3-t) = 36.
  // var = 20/12 * (10 - 36/72) = 15.8333; z = (7.5 - 0.5)/3.97911 = 1.75919; p = 0.078546.
  auto r = mann_whitney_u(Sample{1, 2, 2, 3}, Sample{2, 3, 4, 4, 5});
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u_x, 2.5);
  EXPECT_NEAR(r.p_value, 0.0785458509511907, 1e-9);
}

TEST(MannWhitney, NormalApproximationForLargeSamples) {
  // 30 vs 30, separated: U = 0, mean 450, var = 900/12 * 61 = 4575, z = 449.5/67.64 = 6.6456.
  Sample x, y;
  for (int i = 0; i < 30; ++i) {
    x.push_back(i);
    y.push_back(30 + i);
  }
  auto r = mann_whitney_u(x, y);
  EXPECT_FALSE(r.exact);
  EXPECT_NEAR(r.p_value, 3.019859359162151e-11, 1e-15);
}

TEST(MannWhitney, AllTiedGivesOne) {
  auto r = mann_whitney_u(Sample{5, 5, 5}, Sample{5, 5});
  EXPECT_DOUBLE_EQ(r.u_x, 3);
  EXPECT_DOUBLE_EQ(r.p_value, 1);
}

TEST(MannWhitney, RejectsEmptyAndNaN) {
  EXPECT_THROW(mann_whitney_u(Sample{}, Sample{1}), std::invalid_argument);
  EXPECT_THROW(mann_whitney_u(Sample{1}, Sample{}), std::invalid_argument);
  EXPECT_THROW(mann_whitney_u(Sample{1, NAN}, Sample{2}), std::invalid_argument);
}

TEST(MinAttainableP, MatchesTheExtremeArrangement) {
  EXPECT_DOUBLE_EQ(min_attainable_p(3, 3), 0.1);
  EXPECT_NEAR(min_attainable_p(4, 4), 2.0 / 70, 1e-12);
  EXPECT_DOUBLE_EQ(min_attainable_p(1, 1), 1);
  EXPECT_DOUBLE_EQ(min_attainable_p(0, 5), 1);
  EXPECT_DOUBLE_EQ(min_attainable_p(3, 3),
                   mann_whitney_u(Sample{1, 2, 3}, Sample{4, 5, 6}).p_value);
}

}  // namespace
}  // namespace iomb::compare
