#include "harness/ab/ab_comparison.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "harness/ab/ab_table.h"

namespace iomb::ab {
namespace {

using nlohmann::json;

constexpr char kCell[] = "echo/nio:reactors/c:1/d:1/s:64";

json run(const std::string& side, int rep, double cpu_ns, double rps, double p99) {
  const std::string name = "echo/nio:reactors@" + side + "/c:1/d:1/s:64";
  return {{"name", name},
          {"run_name", name},
          {"run_type", "iteration"},
          {"repetition_index", rep},
          {"repetitions", 5},
          {"iterations", 1000},
          {"real_time", 1e9 / rps},
          {"cpu_time", cpu_ns},
          {"time_unit", "ns"},
          {"items_per_second", rps},
          {"p99_us", p99}};
}

// `reps` pairs: base values drift across repetitions (as a shared machine does), the candidate
// is the base of its pair times `cpu_factor` (CPU) with independent noise of +-`noise`.
std::vector<json> pairs(int reps, double cpu_factor, double noise, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> jitter(1 - noise, 1 + noise);
  std::vector<json> out;
  for (int rep = 0; rep < reps; ++rep) {
    const double drift = 1 + 0.1 * rep;  // the machine gets 10 % slower every round
    out.push_back(run("base", rep, 20000 * drift * jitter(rng), 40000 / drift * jitter(rng),
                      30 * drift * jitter(rng)));
    out.push_back(run("candidate", rep, 20000 * drift * cpu_factor * jitter(rng),
                      40000 / drift * jitter(rng), 30 * drift * jitter(rng)));
  }
  return out;
}

const PairedMetric* metric(const CellAb& cell, const std::string& name) {
  for (const auto& m : cell.metrics) {
    if (m.metric == name) return &m;
  }
  return nullptr;
}

TEST(CompareAb, FlagsATwentyPercentCpuRegression) {
  const AbComparison c = compare_ab(pairs(5, 1.2, 0.02, 1), AbOptions{});
  ASSERT_EQ(c.cells.size(), 1u);
  const CellAb& cell = c.cells[0];
  EXPECT_EQ(cell.name, kCell);
  EXPECT_EQ(cell.pairs, 5u);
  const PairedMetric* cpu = metric(cell, "cpu/req");
  ASSERT_NE(cpu, nullptr);
  EXPECT_NEAR(cpu->median_ratio, 1.2, 0.05);
  EXPECT_EQ(cpu->worse, 5u);
  EXPECT_DOUBLE_EQ(cpu->p_value, 1.0 / 32);
  EXPECT_EQ(cpu->verdict, Verdict::kRegressed);
  EXPECT_EQ(metric(cell, "throughput")->verdict, Verdict::kNoChange);
  EXPECT_EQ(cell.verdict, Verdict::kRegressed);
  EXPECT_EQ(ab_exit_code(c), 1);

  const std::string table = format_ab_terminal(c);
  EXPECT_NE(table.find("nio reactors echo 64B c1: cpu/req +"), std::string::npos) << table;
  EXPECT_NE(table.find("5/5 pairs worse, p=0.0312) REGRESSED"), std::string::npos) << table;
  EXPECT_NE(format_ab_markdown(c).find("**REGRESSED**"), std::string::npos);
}

TEST(CompareAb, AnImprovementIsNotARegression) {
  const AbComparison c = compare_ab(pairs(6, 0.8, 0.02, 2), AbOptions{});
  EXPECT_EQ(metric(c.cells[0], "cpu/req")->verdict, Verdict::kImproved);
  EXPECT_EQ(c.cells[0].verdict, Verdict::kImproved);
  EXPECT_EQ(ab_exit_code(c), 0);
}

TEST(CompareAb, AaNoiseIsNotFlagged) {
  // Same build on both sides: +-3 % noise per run, over a 40 % drift across rounds.
  for (unsigned seed = 1; seed <= 50; ++seed) {
    const AbComparison c = compare_ab(pairs(5, 1.0, 0.03, seed), AbOptions{});
    ASSERT_EQ(c.cells.size(), 1u);
    EXPECT_EQ(c.cells[0].verdict, Verdict::kNoChange) << "seed " << seed << "\n"
                                                      << format_ab_terminal(c);
    EXPECT_EQ(ab_exit_code(c), 0);
  }
}

TEST(CompareAb, PairingCancelsTheDriftAnUnpairedTestWouldSee) {
  // A 6 % regression under a 10 %-per-round drift: the runs of both sides overlap completely,
  // but every pair says 1.06.
  const AbComparison c = compare_ab(pairs(7, 1.06, 0.0, 3), AbOptions{});
  const PairedMetric* cpu = metric(c.cells[0], "cpu/req");
  EXPECT_NEAR(cpu->min_ratio, 1.06, 1e-9);
  EXPECT_NEAR(cpu->max_ratio, 1.06, 1e-9);
  EXPECT_EQ(cpu->verdict, Verdict::kRegressed);
}

TEST(CompareAb, BelowTheThresholdIsNoChangeEvenWhenSignificant) {
  const AbComparison c = compare_ab(pairs(7, 1.03, 0.0, 4), AbOptions{});
  const PairedMetric* cpu = metric(c.cells[0], "cpu/req");
  EXPECT_LT(cpu->p_value, 0.05);
  EXPECT_EQ(cpu->verdict, Verdict::kNoChange);
}

TEST(CompareAb, TooFewPairsIsInsufficientData) {
  const AbComparison c = compare_ab(pairs(4, 1.5, 0.02, 5), AbOptions{});
  EXPECT_EQ(metric(c.cells[0], "cpu/req")->verdict, Verdict::kInsufficientData);
  EXPECT_EQ(c.cells[0].verdict, Verdict::kInsufficientData);
  EXPECT_EQ(ab_exit_code(c), 3);
  EXPECT_NE(format_ab_summary(c).find("at least 5 pairs"), std::string::npos)
      << format_ab_summary(c);
}

TEST(CompareAb, FailedRunsLeaveTooFewPairs) {
  auto entries = pairs(5, 1.0, 0.02, 6);
  // Both sides of repetition 2 failed: 4 pairs remain.
  for (auto& e : entries) {
    if (e["repetition_index"] == 2) e["error_occurred"] = true;
  }
  const AbComparison c = compare_ab(entries, AbOptions{});
  EXPECT_EQ(c.cells[0].pairs, 4u);
  EXPECT_EQ(c.cells[0].verdict, Verdict::kInsufficientData);
  EXPECT_EQ(ab_exit_code(c), 3);
}

TEST(CompareAb, CandidateFailuresTheBaseDidNotHaveAreARegression) {
  auto entries = pairs(5, 1.0, 0.02, 7);
  entries[3]["error_occurred"] = true;  // candidate, repetition 1
  const AbComparison c = compare_ab(entries, AbOptions{});
  EXPECT_EQ(c.cells[0].candidate_failed, 1u);
  EXPECT_EQ(c.cells[0].verdict, Verdict::kRegressed);
  EXPECT_NE(c.cells[0].note.find("candidate failed 1"), std::string::npos);
  EXPECT_EQ(ab_exit_code(c), 1);
}

TEST(CompareAb, SkippedCellIsInsufficientDataAndUnsidedEntriesAreIgnored) {
  std::vector<json> entries{
      {{"name", "echo/aio:rings@base/c:1/d:1/s:64"}, {"repetition_index", 0}, {"skipped", true}},
      {{"name", "echo/aio:rings@candidate/c:1/d:1/s:64"},
       {"repetition_index", 0},
       {"skipped", true}},
      run("base", 0, 1, 1, 1),
  };
  entries.back()["name"] = entries.back()["run_name"] = "echo/nio:reactors/c:1/d:1/s:64";
  const AbComparison c = compare_ab(entries, AbOptions{});
  ASSERT_EQ(c.cells.size(), 1u);
  EXPECT_EQ(c.cells[0].name, "echo/aio:rings/c:1/d:1/s:64");
  EXPECT_EQ(c.cells[0].verdict, Verdict::kInsufficientData);
  EXPECT_EQ(ab_exit_code(c), 3);
  EXPECT_EQ(ab_exit_code(AbComparison{}), 3);  // nothing compared is nothing known
}

TEST(CompareAb, ACountMadeOnceAndCopiedIsJudgedOnItsRatio) {
  auto entries = pairs(5, 1.0, 0.02, 8);
  for (auto& e : entries) {
    const bool base = e["name"].get<std::string>().find("@base") != std::string::npos;
    e["syscalls_per_req"] = base ? 3.0 : 4.0;
  }
  const AbComparison c = compare_ab(entries, AbOptions{});
  const PairedMetric* syscalls = metric(c.cells[0], "syscalls/req");
  ASSERT_NE(syscalls, nullptr);
  EXPECT_TRUE(syscalls->counted_once);
  EXPECT_NEAR(syscalls->median_ratio, 4.0 / 3, 1e-12);
  EXPECT_EQ(syscalls->verdict, Verdict::kRegressed);
  EXPECT_EQ(ab_exit_code(c), 1);
}

TEST(CompareAb, ACountMadeOnceAtManyConnectionsIsShownNotJudged) {
  auto entries = pairs(5, 1.0, 0.02, 8);
  for (auto& e : entries) {
    std::string name = e["name"];
    name.replace(name.find("/c:1/"), 5, "/c:100/");
    e["name"] = e["run_name"] = name;
    e["syscalls_per_req"] = name.find("@base") != std::string::npos ? 0.066 : 0.061;
  }
  const AbComparison c = compare_ab(entries, AbOptions{});
  const PairedMetric* syscalls = metric(c.cells[0], "syscalls/req");
  ASSERT_NE(syscalls, nullptr);
  EXPECT_FALSE(syscalls->judged);
  EXPECT_NE(syscalls->note.find("100 connections"), std::string::npos);
  EXPECT_EQ(c.cells[0].verdict, Verdict::kNoChange);
  EXPECT_NE(format_ab_terminal(c).find("not judged"), std::string::npos);
  EXPECT_EQ(ab_exit_code(c), 0);
}

TEST(CompareAb, ARunThatServedNothingDropsItsPairAndOnlyCpuAndThroughputNeedPairs) {
  auto entries = pairs(6, 1.0, 0.02, 9);
  entries[2]["items_per_second"] = 0;  // base of pair 1 starved by the machine
  entries[2]["p99_us"] = 0;
  entries[4]["valid"] = false;  // base of pair 2
  for (size_t i = 6; i < entries.size(); ++i) entries[i]["ctx_switches_per_req"] = 1.0;
  const AbComparison c = compare_ab(entries, AbOptions{});
  ASSERT_EQ(c.cells.size(), 1u);
  EXPECT_EQ(c.cells[0].pairs, 4u);
  EXPECT_EQ(c.cells[0].unmeasured, 2u);
  EXPECT_NE(c.cells[0].note.find("2 pair(s) dropped"), std::string::npos);
  // 4 pairs cannot reach alpha 0.05: unjudged, loudly, not a silent pass.
  EXPECT_EQ(c.cells[0].verdict, Verdict::kInsufficientData);
  EXPECT_EQ(ab_exit_code(c), 3);
  // A secondary metric short of pairs (context switches on 3 pairs) does not make an
  // otherwise judged cell unjudged.
  auto more = pairs(6, 1.0, 0.02, 9);
  for (size_t i = 6; i < more.size(); ++i) more[i]["ctx_switches_per_req"] = 1.0 + 0.01 * i;
  const AbComparison d = compare_ab(more, AbOptions{});
  EXPECT_EQ(metric(d.cells[0], "ctx-switches/req")->verdict, Verdict::kInsufficientData);
  EXPECT_EQ(d.cells[0].verdict, Verdict::kNoChange);
  EXPECT_EQ(ab_exit_code(d), 0);
}

TEST(CompareAb, PairsWithEqualSidesCountAsPairsNotAsMissingData) {
  // Three of five pairs exactly equal: the test sees two differences and cannot reach alpha,
  // but five pairs were measured and they say no change.
  const PairedMetric m = compare_paired("ctx-switches/req", false, {1, 1, 1, 2, 2},
                                        {1, 1, 1, 2.002, 1.998}, AbOptions{});
  EXPECT_EQ(m.ratios.size(), 5u);
  EXPECT_EQ(m.verdict, Verdict::kNoChange);
  const PairedMetric same = compare_paired("p99", false, {5, 5, 6, 7, 8}, {5, 5, 6, 7, 8}, {});
  EXPECT_EQ(same.verdict, Verdict::kNoChange);
}

TEST(CompareAb, AggregatesAreIgnored) {
  auto entries = pairs(5, 1.0, 0.02, 9);
  json aggregate = run("candidate", 0, 1e9, 1, 1e6);
  aggregate["run_type"] = "aggregate";
  aggregate["aggregate_name"] = "median";
  entries.push_back(aggregate);
  const AbComparison c = compare_ab(entries, AbOptions{});
  EXPECT_EQ(c.cells[0].pairs, 5u);
  EXPECT_EQ(c.cells[0].verdict, Verdict::kNoChange);
}

TEST(CellLabel, ReadsTheBenchmarkName) {
  EXPECT_EQ(cell_label("echo/nio:reactors/c:1/d:1/s:64"), "nio reactors echo 64B c1");
  EXPECT_EQ(cell_label("http/bio:pool/c:100/d:4/s:4096/r:5000/p:echo"),
            "bio pool http 4KiB c100 d4 5000/s /echo");
  EXPECT_EQ(cell_label("not a name"), "not a name");
}

}  // namespace
}  // namespace iomb::ab
