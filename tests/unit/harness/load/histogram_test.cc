// Tests for harness/histogram.h: percentiles against exact sorted samples over skewed
// distributions, merge == record-all, encode/decode round trip, edge values.
#include "harness/load/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace iomb::harness {
namespace {

// The same rank definition the histogram documents: ceil(p/100 * n), at least 1.
int64_t exact_percentile(const std::vector<int64_t>& sorted, double p) {
  double exact_rank = p / 100.0 * static_cast<double>(sorted.size());
  auto rank = static_cast<size_t>(std::ceil(exact_rank - 1e-9 * exact_rank));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

void expect_percentiles_match(std::vector<int64_t> samples, const char* what) {
  Histogram h;
  for (int64_t v : samples) h.record(v);
  std::sort(samples.begin(), samples.end());
  ASSERT_EQ(h.count(), samples.size());
  EXPECT_EQ(h.min(), samples.front()) << what;
  EXPECT_EQ(h.max(), samples.back()) << what;
  for (double p : {0.0, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 99.999, 100.0}) {
    int64_t exact = exact_percentile(samples, p);
    int64_t got = h.percentile(p);
    // Stated precision: within 0.1 % (3 significant digits) of the exact sample.
    double tolerance = std::max(1.0, 0.001 * static_cast<double>(exact));
    EXPECT_NEAR(static_cast<double>(got), static_cast<double>(exact), tolerance)
        << what << " p" << p;
    EXPECT_GE(got, exact) << what << " p" << p << ": reported values round up within a bucket";
  }
  double sum = 0;
  for (int64_t v : samples) sum += static_cast<double>(v);
  EXPECT_NEAR(h.mean(), sum / static_cast<double>(samples.size()), 1e-6 * h.mean()) << what;
}

TEST(HistogramTest, LognormalPercentilesMatchSortedSamples) {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> dist(std::log(50'000.0), 1.2);  // ~50 us median
  std::vector<int64_t> s;
  for (int i = 0; i < 200'000; ++i) s.push_back(static_cast<int64_t>(dist(rng)) + 1);
  expect_percentiles_match(s, "lognormal");
}

TEST(HistogramTest, BimodalPercentilesMatchSortedSamples) {
  std::mt19937_64 rng(2);
  std::normal_distribution<double> fast(30'000.0, 3'000.0);        // 30 us
  std::normal_distribution<double> slow(12'000'000.0, 900'000.0);  // 12 ms
  std::bernoulli_distribution is_slow(0.03);
  std::vector<int64_t> s;
  for (int i = 0; i < 100'000; ++i) {
    double v = is_slow(rng) ? slow(rng) : fast(rng);
    s.push_back(std::max<int64_t>(1, static_cast<int64_t>(v)));
  }
  expect_percentiles_match(s, "bimodal");
}

TEST(HistogramTest, ParetoPercentilesMatchSortedSamples) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<int64_t> s;
  for (int i = 0; i < 100'000; ++i) {
    double v = 20'000.0 / std::pow(1.0 - u(rng), 1.0 / 1.1);  // heavy tail, xm = 20 us
    s.push_back(static_cast<int64_t>(std::min(v, 3.0e12)));
  }
  expect_percentiles_match(s, "pareto");
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (int64_t v = 0; v < 2048; ++v) h.record(v);
  for (int64_t v : {0, 1, 7, 1000, 2047}) {
    double p = 100.0 * static_cast<double>(v + 1) / 2048.0;
    EXPECT_EQ(h.percentile(p), v);
  }
}

TEST(HistogramTest, MergeEqualsRecordingAll) {
  std::mt19937_64 rng(4);
  std::lognormal_distribution<double> dist(std::log(200'000.0), 2.0);
  Histogram all, a, b, c;
  for (int i = 0; i < 50'000; ++i) {
    auto v = static_cast<int64_t>(dist(rng));
    all.record(v);
    (i % 3 == 0 ? a : i % 3 == 1 ? b : c).record(v);
  }
  Histogram merged;
  merged.merge(a);
  merged.merge(b);
  merged.merge(c);
  EXPECT_TRUE(merged == all);
  EXPECT_EQ(merged.percentile(99.9), all.percentile(99.9));
  EXPECT_EQ(merged.count(), 50'000u);
}

TEST(HistogramTest, MergeRejectsDifferentPrecision) {
  Histogram a(3), b(2);
  b.record(5);
  EXPECT_THROW(a.merge(b), std::invalid_argument);
}

TEST(HistogramTest, EncodeDecodeRoundTrip) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> dist(std::log(80'000.0), 1.5);
  Histogram h;
  for (int i = 0; i < 20'000; ++i) h.record(static_cast<int64_t>(dist(rng)));
  h.record(Histogram::kMaxTrackable * 2);  // clamped
  std::string text = h.encode();
  EXPECT_EQ(text.rfind("HISTv1:", 0), 0u);
  EXPECT_LT(text.size(), 40'000u) << "encoding is sparse";
  auto back = Histogram::decode(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(*back == h);
  EXPECT_EQ(back->clamped(), 1u);
  EXPECT_EQ(back->percentile(50), h.percentile(50));
  EXPECT_DOUBLE_EQ(back->mean(), h.mean());
}

TEST(HistogramTest, EmptyEncodesAndDecodes) {
  Histogram h;
  auto back = Histogram::decode(h.encode());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->count(), 0u);
  EXPECT_EQ(back->percentile(99), 0);
  EXPECT_EQ(back->min(), 0);
  EXPECT_EQ(back->max(), 0);
  EXPECT_EQ(back->mean(), 0.0);
}

TEST(HistogramTest, DecodeRejectsGarbage) {
  EXPECT_FALSE(Histogram::decode("").has_value());
  EXPECT_FALSE(Histogram::decode("HISTv1:!!!!").has_value());
  EXPECT_FALSE(Histogram::decode("HISTv2:AAAA").has_value());
  Histogram h;
  h.record(12345);
  std::string text = h.encode();
  EXPECT_FALSE(Histogram::decode(text.substr(0, text.size() - 4)).has_value());
}

TEST(HistogramTest, EdgeValues) {
  Histogram h;
  h.record(-5);  // recorded as 0
  h.record(0);
  h.record(Histogram::kMaxTrackable);
  h.record(Histogram::kMaxTrackable + 1);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.clamped(), 1u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), Histogram::kMaxTrackable);
  EXPECT_EQ(h.percentile(100), Histogram::kMaxTrackable);
  EXPECT_EQ(h.percentile(0), 0);
  EXPECT_NEAR(static_cast<double>(h.percentile(75)), static_cast<double>(Histogram::kMaxTrackable),
              0.001 * static_cast<double>(Histogram::kMaxTrackable));
  h.record_n(1'000'000, 1'000'000);
  EXPECT_EQ(h.count(), 1'000'004u);
  EXPECT_NEAR(static_cast<double>(h.percentile(50)), 1e6, 1e3);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0);
}

TEST(HistogramTest, PrecisionIsAtLeastThreeDigits) {
  Histogram h;
  EXPECT_LE(h.relative_precision(), 0.001);
  EXPECT_THROW(Histogram(0), std::invalid_argument);
  EXPECT_THROW(Histogram(6), std::invalid_argument);
}

}  // namespace
}  // namespace iomb::harness
