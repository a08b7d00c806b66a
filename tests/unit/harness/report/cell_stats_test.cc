// build_cells and the cell groups: medians, min–max, flag counts, failed and skipped cells,
// aggregates when there are no iterations, and the reference model.
#include "harness/report/cell_stats.h"

#include <gtest/gtest.h>

#include "harness/report/cell_groups.h"

namespace iomb::report {
namespace {

RunRecord run(const std::string& name, double rps, double p99 = 100) {
  RunRecord r;
  r.name = name;
  r.key = *result::BenchmarkName::parse(name);
  r.requests_per_s = rps;
  r.p99_us = p99;
  r.percentiles = {{50, rps / 1000}};
  return r;
}

TEST(CellStats, MedianMinMaxAndTheMedianRunsSpectrum) {
  const std::string n = "echo/nio:reactors/c:1/d:1/s:64";
  std::vector<RunRecord> runs{run(n, 300, 30), run(n, 100, 10), run(n, 200, 20)};
  runs[0].saturated = true;
  auto cells = build_cells(runs);
  ASSERT_EQ(cells.size(), 1u);
  const Cell& c = cells[0];
  EXPECT_EQ(c.repetitions, 3);
  EXPECT_DOUBLE_EQ(c.requests_per_s->median, 200);
  EXPECT_DOUBLE_EQ(c.requests_per_s->min, 100);
  EXPECT_DOUBLE_EQ(c.requests_per_s->max, 300);
  EXPECT_DOUBLE_EQ(*c.p99_us, 20);
  EXPECT_EQ(c.saturated, 1);
  ASSERT_EQ(c.percentiles.size(), 1u);
  EXPECT_DOUBLE_EQ(c.percentiles[0].second, 0.2);
}

TEST(CellStats, EvenCountMedianAndMissingFields) {
  const std::string n = "echo/nio:reactors/c:1/d:1/s:64";
  std::vector<RunRecord> runs{run(n, 100), run(n, 200)};
  auto cells = build_cells(runs);
  EXPECT_DOUBLE_EQ(cells[0].requests_per_s->median, 150);
  EXPECT_FALSE(cells[0].cpu_us_per_req);
  EXPECT_FALSE(cells[0].floor_ratio());
}

TEST(CellStats, FailedRepetitionsAreCountedNotAveraged) {
  const std::string n = "echo/bio:pool/c:1/d:1/s:64";
  RunRecord bad;
  bad.name = n;
  bad.key = *result::BenchmarkName::parse(n);
  bad.failed = true;
  bad.error_message = "verification failed";
  auto cells = build_cells({run(n, 100), bad, bad});
  EXPECT_EQ(cells[0].repetitions, 1);
  EXPECT_EQ(cells[0].failed, 2);
  EXPECT_EQ(cells[0].failure_messages, std::vector<std::string>{"verification failed"});
  auto all_failed = build_cells({bad});
  EXPECT_FALSE(all_failed[0].measured());
  EXPECT_FALSE(all_failed[0].skipped);
}

TEST(CellStats, SkippedCellKeepsItsReason) {
  RunRecord s;
  s.name = "echo/aio:rings/c:1/d:1/s:64";
  s.key = *result::BenchmarkName::parse(s.name);
  s.skipped = true;
  s.skip_reason = "io_uring disabled";
  auto cells = build_cells({s});
  EXPECT_TRUE(cells[0].skipped);
  EXPECT_EQ(cells[0].skip_reason, "io_uring disabled");
}

TEST(CellStats, MedianAggregateWhenThereAreNoIterations) {
  RunRecord mean = run("echo/nio:reactors/c:1/d:1/s:64", 90);
  mean.aggregate = true;
  mean.aggregate_name = "mean";
  RunRecord med = run("echo/nio:reactors/c:1/d:1/s:64", 80);
  med.aggregate = true;
  med.aggregate_name = "median";
  auto cells = build_cells({mean, med});
  EXPECT_TRUE(cells[0].from_aggregate);
  EXPECT_DOUBLE_EQ(cells[0].requests_per_s->median, 80);
  // With iterations the aggregates are ignored.
  auto with_runs = build_cells({mean, run("echo/nio:reactors/c:1/d:1/s:64", 70)});
  EXPECT_FALSE(with_runs[0].from_aggregate);
  EXPECT_DOUBLE_EQ(with_runs[0].requests_per_s->median, 70);
}

TEST(CellStats, SameKeyWrittenTwoWaysIsOneCell) {
  auto cells = build_cells(
      {run("echo/nio:reactors/c:1/d:1/s:4096", 1), run("echo/nio:reactors/c:1/d:1/s:4KiB", 3)});
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].repetitions, 2);
}

TEST(CellGroups, ClosedAndOpenLoopGroupsWithReferenceFirst) {
  auto cells =
      build_cells({run("echo/bio:pool/c:100/d:1/s:64", 1), run("echo/nio:reactors/c:1/d:1/s:64", 1),
                   run("echo/nio:reactors/c:100/d:1/s:64", 1),
                   run("echo/nio:reactors/c:100/d:1/s:64/r:5000", 1),
                   run("echo/nio:acceptor/c:100/d:1/s:64/r:1000", 1)});
  EXPECT_EQ(resolve_reference(cells, "nio"), "nio:acceptor");
  EXPECT_EQ(resolve_reference(cells, "nio:reactors"), "nio:reactors");
  EXPECT_EQ(resolve_reference(cells, "aio:rings"), "");
  auto groups = group_cells(cells, "nio:reactors");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_FALSE(groups[0].open_loop);
  EXPECT_EQ(groups[0].id, "echo_64B_d1");
  EXPECT_EQ(groups[0].models, (std::vector<std::string>{"nio:reactors", "bio:pool"}));
  EXPECT_EQ(groups[0].connection_steps, (std::vector<int64_t>{1, 100}));
  EXPECT_EQ(groups[0].find("bio:pool", 1), nullptr);
  EXPECT_NE(groups[0].find("bio:pool", 100), nullptr);
  EXPECT_TRUE(groups[1].open_loop);
  EXPECT_EQ(groups[1].id, "echo_64B_d1_c100_open");
  EXPECT_EQ(groups[1].rates, (std::vector<double>{1000, 5000}));
  EXPECT_NE(groups[1].find("nio:reactors", 100, 5000.0), nullptr);
}

}  // namespace
}  // namespace iomb::report
