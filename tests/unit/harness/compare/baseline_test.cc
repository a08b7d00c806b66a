#include "harness/compare/baseline.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "harness/compare/comparison.h"

namespace iomb::compare {
namespace {

BenchmarkSamples cell(const std::string& name, double syscalls, std::vector<double> switches) {
  BenchmarkSamples b{name, {100}, {50}, {4000}, false};
  b.syscalls_per_req.assign(switches.size(), syscalls);
  b.ctx_switches_per_req = std::move(switches);
  return b;
}

BaselineOptions options() {
  BaselineOptions o;
  o.tolerance = {{kSyscallsMetric, 0.05}, {kCtxSwitchesMetric, 0.10}};
  return o;
}

TEST(MakeBaseline, GatesOnlyTheCountsWhoseAASpreadIsSmall) {
  // c1: stable counts. c100: syscalls drift with batching (2.21 vs 2.58), switches too.
  std::vector<ResultFile> runs = {
      {"a", {cell("c1", 2.95, {1.00, 1.01, 0.99}), cell("c100", 2.21, {0.30, 0.31, 0.29})}, {}},
      {"b", {cell("c1", 2.96, {1.00, 1.00, 1.01}), cell("c100", 2.58, {0.45, 0.40, 0.50})}, {}},
      {"c", {cell("c1", 2.95, {0.99, 1.00, 1.00}), cell("c100", 2.30, {0.35, 0.36, 0.34})}, {}}};
  Baseline b = make_baseline(runs, options());
  const nlohmann::json& rows = b.document["benchmarks"];
  ASSERT_EQ(rows.size(), 1u);  // c100 gates nothing, so it is not in the baseline
  EXPECT_EQ(rows[0]["name"], "c1");
  EXPECT_DOUBLE_EQ(rows[0]["syscalls_per_req"].get<double>(), 2.95);
  EXPECT_DOUBLE_EQ(rows[0]["ctx_switches_per_req"].get<double>(), 1.00);
  const nlohmann::json& gate = b.document["context"]["gate"];
  EXPECT_EQ(gate["tolerance"][kSyscallsMetric], 0.05);
  EXPECT_NEAR(gate["a_a_spread"]["c100"][kSyscallsMetric].get<double>(), 0.37 / 2.21, 1e-9);
  EXPECT_NE(gate["not_gated"]["c100"][kSyscallsMetric].get<std::string>().find("A/A spread"),
            std::string::npos);
  // The file reads back as a baseline: its tolerances and counts.
  ResultFile read = parse_result_json(b.document, "baseline");
  EXPECT_EQ(read.count_tolerance.at(kCtxSwitchesMetric), 0.10);
  ASSERT_EQ(read.benchmarks.size(), 1u);
  EXPECT_EQ(read.benchmarks[0].syscalls_per_req, std::vector<double>{2.95});
}

TEST(MakeBaseline, ACountMissingFromARunOrZeroIsNotGated) {
  BenchmarkSamples no_syscalls = cell("c1", 0, {0.0});
  no_syscalls.syscalls_per_req.clear();
  std::vector<ResultFile> runs = {{"a", {cell("c1", 2.0, {0.0}), cell("only-a", 2.0, {1.0})}, {}},
                                  {"b", {no_syscalls}, {}}};
  Baseline b = make_baseline(runs, options());
  EXPECT_TRUE(b.document["benchmarks"].empty());
  EXPECT_EQ(b.document["context"]["gate"]["not_gated"]["only-a"], "missing from a run");
  EXPECT_EQ(b.document["context"]["gate"]["not_gated"]["c1"][kSyscallsMetric],
            "missing from a run");
  EXPECT_EQ(b.document["context"]["gate"]["not_gated"]["c1"][kCtxSwitchesMetric],
            "zero in every run");
}

TEST(MakeBaseline, NeedsTwoRunsAndATolerance) {
  std::vector<ResultFile> one = {{"a", {cell("c1", 2.0, {1.0})}, {}}};
  EXPECT_THROW(make_baseline(one, options()), std::invalid_argument);
  std::vector<ResultFile> two = {one[0], one[0]};
  EXPECT_THROW(make_baseline(two, BaselineOptions{}), std::invalid_argument);
}

TEST(ParseCountTolerance, NamesAKnownCount) {
  EXPECT_EQ(parse_count_tolerance("syscalls/req=5%"),
            std::make_pair(std::string("syscalls/req"), 0.05));
  EXPECT_EQ(parse_count_tolerance("ctx sw/req=0.1").second, 0.1);
  EXPECT_THROW(parse_count_tolerance("p99=5%"), std::invalid_argument);
  EXPECT_THROW(parse_count_tolerance("syscalls/req"), std::invalid_argument);
  EXPECT_THROW(parse_count_tolerance("syscalls/req=200%"), std::invalid_argument);
}

}  // namespace
}  // namespace iomb::compare
