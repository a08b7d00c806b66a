#include "harness/compare/comparison.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace iomb::compare {
namespace {

// A result file with one benchmark whose repetitions have these throughputs, p99s and CPU
// times (all vectors the same length).
BenchmarkSamples bench(const std::string& name, std::vector<double> throughput,
                       std::vector<double> p99, std::vector<double> cpu) {
  return BenchmarkSamples{name, std::move(throughput), std::move(p99), std::move(cpu), false};
}

ResultFile file(std::vector<BenchmarkSamples> rows) { return ResultFile{"synthetic", rows}; }

const std::vector<double> kBaseThroughput = {100, 101, 99, 100.5, 99.5};
const std::vector<double> kBaseP99 = {50, 51, 49, 50.5, 49.5};
const std::vector<double> kBaseCpu = {4000, 4010, 3990, 4005, 3995};

std::vector<double> scaled(const std::vector<double>& values, double factor) {
  std::vector<double> out;
  for (double v : values) out.push_back(v * factor);
  return out;
}

const MetricComparison& metric(const BenchmarkComparison& row, const std::string& name) {
  for (const auto& m : row.metrics) {
    if (m.metric == name) return m;
  }
  throw std::out_of_range(name);
}

TEST(CompareResults, ThroughputDropIsASignificantRegression) {
  auto base = file({bench("echo/a", kBaseThroughput, kBaseP99, kBaseCpu)});
  auto next = file({bench("echo/a", scaled(kBaseThroughput, 0.8), kBaseP99, kBaseCpu)});
  Comparison c = compare_results(base, next, CompareOptions{});
  ASSERT_EQ(c.rows.size(), 1u);
  const auto& t = metric(c.rows[0], "throughput");
  EXPECT_DOUBLE_EQ(t.base_median, 100);
  EXPECT_DOUBLE_EQ(t.new_median, 80);
  EXPECT_NEAR(t.change, -0.2, 1e-12);
  EXPECT_NEAR(t.p_value, 2.0 / 252, 1e-12);  // fully separated 5 vs 5
  EXPECT_EQ(t.verdict, Verdict::kRegressed);
  EXPECT_EQ(metric(c.rows[0], "p99").verdict, Verdict::kNoChange);
  EXPECT_EQ(c.rows[0].verdict, Verdict::kRegressed);
  EXPECT_TRUE(has_significant_regression(c));
}

TEST(CompareResults, LowerLatencyAndCpuAreImprovements) {
  auto base = file({bench("echo/a", kBaseThroughput, kBaseP99, kBaseCpu)});
  auto next =
      file({bench("echo/a", kBaseThroughput, scaled(kBaseP99, 0.7), scaled(kBaseCpu, 0.9))});
  Comparison c = compare_results(base, next, CompareOptions{});
  EXPECT_EQ(metric(c.rows[0], "p99").verdict, Verdict::kImproved);
  EXPECT_EQ(metric(c.rows[0], "cpu/req").verdict, Verdict::kImproved);
  EXPECT_EQ(c.rows[0].verdict, Verdict::kImproved);
  EXPECT_FALSE(has_significant_regression(c));
}

TEST(CompareResults, HigherLatencyIsARegression) {
  auto base = file({bench("echo/a", kBaseThroughput, kBaseP99, kBaseCpu)});
  auto next = file({bench("echo/a", kBaseThroughput, scaled(kBaseP99, 1.5), kBaseCpu)});
  Comparison c = compare_results(base, next, CompareOptions{});
  EXPECT_EQ(metric(c.rows[0], "p99").verdict, Verdict::kRegressed);
  EXPECT_TRUE(has_significant_regression(c));
}

TEST(CompareResults, SignificantButBelowThresholdIsNoChange) {
  auto base = file({bench("echo/a", kBaseThroughput, kBaseP99, kBaseCpu)});
  auto next = file({bench("echo/a", scaled(kBaseThroughput, 0.97), kBaseP99, kBaseCpu)});
  Comparison c = compare_results(base, next, CompareOptions{});
  const auto& t = metric(c.rows[0], "throughput");
  EXPECT_LT(t.p_value, 0.05);
  EXPECT_EQ(t.verdict, Verdict::kNoChange);
  // A 2 % threshold makes the same data a regression.
  Comparison strict = compare_results(base, next, CompareOptions{0.02, 0.05});
  EXPECT_EQ(metric(strict.rows[0], "throughput").verdict, Verdict::kRegressed);
}

TEST(CompareResults, LargeButNoisyChangeIsNotSignificant) {
  auto base = file({bench("echo/a", {100, 60, 140, 80, 120}, kBaseP99, kBaseCpu)});
  auto next = file({bench("echo/a", {90, 50, 130, 70, 135}, kBaseP99, kBaseCpu)});
  Comparison c = compare_results(base, next, CompareOptions{});
  const auto& t = metric(c.rows[0], "throughput");
  EXPECT_LE(t.change, -0.05);
  EXPECT_GT(t.p_value, 0.05);
  EXPECT_EQ(t.verdict, Verdict::kNoChange);
  EXPECT_FALSE(has_significant_regression(c));
}

TEST(CompareResults, ThreeRepetitionsAreInsufficientAtAlpha005) {
  auto base = file({bench("echo/a", {100, 101, 99}, {50, 51, 49}, {4000, 4010, 3990})});
  auto next = file({bench("echo/a", {50, 51, 49}, {50, 51, 49}, {4000, 4010, 3990})});
  Comparison c = compare_results(base, next, CompareOptions{});
  EXPECT_NEAR(metric(c.rows[0], "throughput").p_value, 0.1, 1e-12);
  EXPECT_EQ(c.rows[0].verdict, Verdict::kInsufficientData);
  EXPECT_FALSE(has_significant_regression(c));
  // At alpha 0.2 three repetitions are enough to call it.
  Comparison loose = compare_results(base, next, CompareOptions{0.05, 0.2});
  EXPECT_EQ(loose.rows[0].verdict, Verdict::kRegressed);
}

TEST(CompareResults, MatchesByNameAndListsTheRest) {
  auto base = file({bench("only-base", {1, 2}, {}, {1, 2}), bench("both", {1, 2}, {}, {1, 2})});
  auto next = file({bench("both", {1, 2}, {}, {1, 2}), bench("only-new", {1}, {}, {1})});
  Comparison c = compare_results(base, next, CompareOptions{});
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0].name, "both");
  EXPECT_EQ(c.rows[0].metrics.size(), 2u);  // no p99 on either side
  EXPECT_EQ(c.only_in_base, (std::vector<std::string>{"only-base"}));
  EXPECT_EQ(c.only_in_new, (std::vector<std::string>{"only-new"}));
}

TEST(CompareMetric, ZeroBaseGivesNaNChangeAndNoVerdict) {
  auto m = compare_metric("p99", false, {0, 0, 0, 0, 0}, {1, 1, 1, 1, 1}, CompareOptions{});
  EXPECT_TRUE(std::isnan(m.change));
  EXPECT_EQ(m.verdict, Verdict::kNoChange);
}

TEST(ParseFraction, PercentOrFraction) {
  EXPECT_DOUBLE_EQ(parse_fraction("5%"), 0.05);
  EXPECT_DOUBLE_EQ(parse_fraction("0.05"), 0.05);
  EXPECT_DOUBLE_EQ(parse_fraction("5"), 0.05);
  EXPECT_DOUBLE_EQ(parse_fraction("12.5%"), 0.125);
  for (const char* bad : {"", "%", "abc", "5%%", "-5%", "0", "100%", "150", "5 %"}) {
    EXPECT_THROW(parse_fraction(bad), std::invalid_argument) << bad;
  }
}

TEST(VerdictName, Spellings) {
  EXPECT_STREQ(verdict_name(Verdict::kNoChange), "no change");
  EXPECT_STREQ(verdict_name(Verdict::kImproved), "improved");
  EXPECT_STREQ(verdict_name(Verdict::kRegressed), "regressed");
  EXPECT_STREQ(verdict_name(Verdict::kInsufficientData), "insufficient data");
}

// A row with the matrix's counts: every repetition carries the cell's one syscall count.
BenchmarkSamples counted(const std::string& name, double syscalls, std::vector<double> switches) {
  BenchmarkSamples b = bench(name, kBaseThroughput, kBaseP99, kBaseCpu);
  b.syscalls_per_req.assign(5, syscalls);
  b.ctx_switches_per_req = std::move(switches);
  return b;
}

CompareOptions gate_options() {
  CompareOptions o;
  o.count_tolerance = {{kSyscallsMetric, 0.05}, {kCtxSwitchesMetric, 0.10}};
  o.counts_only = true;
  return o;
}

TEST(CompareCounts, OneExtraSyscallPerRequestIsARegressionNamingTheCounter) {
  auto base = file({counted("nio/c1", 2.95, {1.0, 1.01, 0.99, 1.0, 1.0})});
  auto next = file({counted("nio/c1", 3.95, {1.0, 1.0, 1.02, 0.99, 1.0})});
  Comparison c = compare_results(base, next, gate_options());
  ASSERT_EQ(c.rows.size(), 1u);
  ASSERT_EQ(c.rows[0].metrics.size(), 2u);  // counts only: no time metric judged
  const auto& s = metric(c.rows[0], kSyscallsMetric);
  EXPECT_EQ(s.verdict, Verdict::kRegressed);
  EXPECT_NEAR(s.change, 1.0 / 2.95, 1e-12);
  EXPECT_EQ(judged_by(s), "tolerance 5%");
  EXPECT_EQ(metric(c.rows[0], kCtxSwitchesMetric).verdict, Verdict::kNoChange);
  EXPECT_TRUE(has_significant_regression(c));
}

TEST(CompareCounts, WithinToleranceIsNoChangeAndFewerIsAnImprovement) {
  auto base = file({counted("a", 2.95, {1.0}), counted("b", 2.0, {1.0})});
  auto next = file({counted("a", 3.05, {1.09}), counted("b", 1.5, {0.8})});
  Comparison c = compare_results(base, next, gate_options());
  EXPECT_EQ(metric(c.rows[0], kSyscallsMetric).verdict, Verdict::kNoChange);     // +3.4 %
  EXPECT_EQ(metric(c.rows[0], kCtxSwitchesMetric).verdict, Verdict::kNoChange);  // +9 %
  EXPECT_EQ(metric(c.rows[1], kSyscallsMetric).verdict, Verdict::kImproved);
  EXPECT_EQ(c.rows[1].verdict, Verdict::kImproved);
  EXPECT_FALSE(has_significant_regression(c));
  EXPECT_FALSE(has_unjudged(c));
}

TEST(CompareCounts, ACountBaseGatesButNewLacksIsUnjudgedNotPassed) {
  auto base = file({counted("a", 2.95, {1.0})});
  BenchmarkSamples without = counted("a", 0, {1.0});
  without.syscalls_per_req.clear();  // perf could not attach in the new run
  Comparison c = compare_results(base, file({without}), gate_options());
  const auto& s = metric(c.rows[0], kSyscallsMetric);
  EXPECT_EQ(s.verdict, Verdict::kInsufficientData);
  EXPECT_NE(s.note.find("NEW has no syscalls/req"), std::string::npos);
  EXPECT_FALSE(has_significant_regression(c));
  EXPECT_TRUE(has_unjudged(c));
}

TEST(CompareCounts, ABaseBenchmarkMissingFromNewIsUnjudged) {
  auto base = file({counted("a", 2.95, {1.0}), counted("b", 2.0, {1.0})});
  auto next = file({counted("a", 2.95, {1.0})});
  Comparison c = compare_results(base, next, gate_options());
  EXPECT_EQ(c.only_in_base, std::vector<std::string>{"b"});
  EXPECT_TRUE(has_unjudged(c));
}

TEST(CompareCounts, OnlyTheCountsAndCellsTheBaselineNamesAreGated) {
  // The baseline gates syscalls only; a cell without counts in the baseline is skipped.
  BenchmarkSamples ungated = bench("c100", kBaseThroughput, kBaseP99, kBaseCpu);
  auto base = file({counted("c1", 2.95, {}), ungated});
  auto next = file({counted("c1", 2.95, {5.0}), counted("c100", 9.0, {9.0})});
  CompareOptions o = gate_options();
  o.count_tolerance.erase(kCtxSwitchesMetric);
  Comparison c = compare_results(base, next, o);
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0].name, "c1");
  ASSERT_EQ(c.rows[0].metrics.size(), 1u);
  EXPECT_EQ(c.rows[0].metrics[0].metric, kSyscallsMetric);
  EXPECT_FALSE(has_unjudged(c));
}

TEST(CompareCounts, WithoutAToleranceCountsAreNotCompared) {
  auto base = file({counted("a", 2.0, {1.0, 1.0, 1.0, 1.0, 1.0})});
  auto next = file({counted("a", 4.0, {2.0, 2.0, 2.0, 2.0, 2.0})});
  Comparison c = compare_results(base, next, CompareOptions{});
  for (const auto& m : c.rows[0].metrics) {
    EXPECT_NE(m.metric, kSyscallsMetric);
    EXPECT_NE(m.metric, kCtxSwitchesMetric);
  }
  EXPECT_FALSE(has_significant_regression(c));
}

TEST(CompareCounts, ACountWhereThereWasNoneIsARegression) {
  EXPECT_EQ(compare_count(kSyscallsMetric, {0}, {0.5}, 0.05).verdict, Verdict::kRegressed);
  EXPECT_EQ(compare_count(kSyscallsMetric, {0}, {0}, 0.05).verdict, Verdict::kNoChange);
}

TEST(CompareResults, TooFewRepetitionsAreUnjudged) {
  auto three = [](double f) {
    return file({bench("a", {100 * f, 101 * f, 99 * f}, {50, 51, 49}, {4000, 4010, 3990})});
  };
  Comparison c = compare_results(three(1), three(0.5), CompareOptions{});
  EXPECT_FALSE(has_significant_regression(c));
  EXPECT_TRUE(has_unjudged(c));
}

}  // namespace
}  // namespace iomb::compare
