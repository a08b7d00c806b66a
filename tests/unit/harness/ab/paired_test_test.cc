#include "harness/ab/paired_test.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

namespace iomb::ab {
namespace {

using Sample = std::vector<double>;

// Brute force over every sign assignment of the ranks of |d|: P(W+ >= observed).
double brute_force_p_greater(const Sample& d) {
  Sample nonzero;
  for (double x : d) {
    if (x != 0) nonzero.push_back(x);
  }
  const size_t n = nonzero.size();
  std::vector<double> rank(n);
  for (size_t i = 0; i < n; ++i) {
    double below = 0, equal = 0;
    for (size_t j = 0; j < n; ++j) {
      below += std::abs(nonzero[j]) < std::abs(nonzero[i]);
      equal += std::abs(nonzero[j]) == std::abs(nonzero[i]);
    }
    rank[i] = below + (equal + 1) / 2;
  }
  double observed = 0;
  for (size_t i = 0; i < n; ++i) observed += nonzero[i] > 0 ? rank[i] : 0;
  size_t as_extreme = 0;
  for (unsigned mask = 0; mask < (1u << n); ++mask) {
    double w = 0;
    for (size_t i = 0; i < n; ++i) w += (mask >> i) & 1 ? rank[i] : 0;
    as_extreme += w >= observed - 1e-9;
  }
  return static_cast<double>(as_extreme) / static_cast<double>(1u << n);
}

TEST(WilcoxonSignedRank, FivePairsAllOneWayGiveOneIn32) {
  const Sample d{0.1, 0.2, 0.15, 0.3, 0.12};
  const SignedRankResult r = wilcoxon_signed_rank(d);
  EXPECT_EQ(r.used, 5u);
  EXPECT_EQ(r.positive, 5u);
  EXPECT_DOUBLE_EQ(r.w_plus, 15);
  EXPECT_DOUBLE_EQ(r.p_greater, 1.0 / 32);
  EXPECT_DOUBLE_EQ(r.p_less, 1.0);
}

TEST(WilcoxonSignedRank, LargestDifferenceNegativeOfFive) {
  // Ranks 1..4 positive, 5 negative: W+ = 10; 10 of the 32 subsets of {1..5} sum to >= 10.
  const SignedRankResult r = wilcoxon_signed_rank(Sample{1, 2, 3, 4, -5});
  EXPECT_DOUBLE_EQ(r.w_plus, 10);
  EXPECT_DOUBLE_EQ(r.p_greater, 10.0 / 32);
  EXPECT_DOUBLE_EQ(r.p_less, 25.0 / 32);  // 1 - P(W+ >= 11) = 1 - 7/32
}

TEST(WilcoxonSignedRank, MatchesRsWilcoxTestOnHollanderWolfeDepressionData) {
  // R: wilcox.test(x, y, paired = TRUE, alternative = "greater") gives V = 40, p = 0.01953.
  const Sample x{1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
  const Sample y{0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
  Sample d;
  for (size_t i = 0; i < x.size(); ++i) d.push_back(x[i] - y[i]);
  const SignedRankResult r = wilcoxon_signed_rank(d);
  EXPECT_DOUBLE_EQ(r.w_plus, 40);
  EXPECT_NEAR(r.p_greater, 10.0 / 512, 1e-12);
  EXPECT_NEAR(r.p_greater, 0.01953, 1e-5);
}

TEST(WilcoxonSignedRank, TiesGetMidRanksAndTheExactDistributionOfThoseRanks) {
  // |d| all tied: each mid-rank is 2, so W+ counts positives; P(at least 2 of 3) = 1/2.
  const SignedRankResult r = wilcoxon_signed_rank(Sample{1, 1, -1});
  EXPECT_DOUBLE_EQ(r.w_plus, 4);
  EXPECT_DOUBLE_EQ(r.p_greater, 0.5);
  EXPECT_DOUBLE_EQ(r.p_less, 7.0 / 8);
}

TEST(WilcoxonSignedRank, ZerosAreDropped) {
  const SignedRankResult r = wilcoxon_signed_rank(Sample{0, 0.5, 0, 0.7, 0.2, 0.1, 0.3});
  EXPECT_EQ(r.used, 5u);
  EXPECT_DOUBLE_EQ(r.p_greater, 1.0 / 32);
  const SignedRankResult none = wilcoxon_signed_rank(Sample{0, 0});
  EXPECT_EQ(none.used, 0u);
  EXPECT_EQ(none.p_greater, 1);
  EXPECT_EQ(none.p_less, 1);
}

TEST(WilcoxonSignedRank, AgreesWithBruteForceOnRandomSamplesWithTies) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> value(-6, 9);  // small integers: ties and zeros happen
  for (int trial = 0; trial < 200; ++trial) {
    Sample d(1 + trial % 12);
    for (double& x : d) x = value(rng);
    const SignedRankResult r = wilcoxon_signed_rank(d);
    EXPECT_NEAR(r.p_greater, brute_force_p_greater(d), 1e-12) << "trial " << trial;
    Sample negated;
    for (double x : d) negated.push_back(-x);
    EXPECT_NEAR(r.p_less, brute_force_p_greater(negated), 1e-12) << "trial " << trial;
  }
}

TEST(WilcoxonSignedRank, ManyPairsStayAProbability) {
  Sample d;
  for (int i = 1; i <= 200; ++i) d.push_back(i % 3 == 0 ? -i : i);
  const SignedRankResult r = wilcoxon_signed_rank(d);
  EXPECT_GT(r.p_greater, 0);
  EXPECT_LT(r.p_greater, 1e-3);
  EXPECT_LE(r.p_less, 1);
}

TEST(WilcoxonSignedRank, RefusesNaN) {
  EXPECT_THROW(wilcoxon_signed_rank(Sample{1, std::nan("")}), std::invalid_argument);
}

TEST(MinAttainableOneSidedP, FivePairsReachFivePercentFourDoNot) {
  EXPECT_DOUBLE_EQ(min_attainable_one_sided_p(5), 1.0 / 32);
  EXPECT_LT(min_attainable_one_sided_p(5), 0.05);
  EXPECT_GT(min_attainable_one_sided_p(4), 0.05);
}

}  // namespace
}  // namespace iomb::ab
