// parse_run_record: counters, flags where the harness puts them, units, percentiles, floor.
#include "harness/report/record_parser.h"

#include <gtest/gtest.h>

namespace iomb::report {
namespace {

using nlohmann::json;

const json kContext = {{"floor", {{"recv_send_64B_ns", 4000.0}, {"recv_send_4KiB_ns", 8000.0}}}};

RunRecord parse(const json& entry, const json& context = kContext) {
  std::string why;
  auto r = parse_run_record(entry, context, &why);
  EXPECT_TRUE(r) << why;
  return r.value_or(RunRecord{});
}

TEST(RecordParser, ReadsCountersAndTheFloorForTheSize) {
  RunRecord r = parse({{"name", "echo/nio:reactors/c:10/d:1/s:4096"},
                       {"run_type", "iteration"},
                       {"repetition_index", 2},
                       {"cpu_time", 12.5},
                       {"time_unit", "us"},
                       {"items_per_second", 1000.0},
                       {"p50_us", 10.0},
                       {"p99_us", 30.0},
                       {"server_rss_kib", 2048},
                       {"iomb", {{"cpu_time_source", "server"}}}});
  EXPECT_EQ(r.repetition_index, 2);
  EXPECT_FALSE(r.aggregate);
  EXPECT_DOUBLE_EQ(*r.server_cpu_ns_per_req, 12500);
  EXPECT_DOUBLE_EQ(*r.requests_per_s, 1000);
  EXPECT_DOUBLE_EQ(*r.floor_ns, 8000);  // 4 KiB floor for a 4096 B message
  EXPECT_DOUBLE_EQ(*r.rss_kib, 2048);
  EXPECT_FALSE(r.p999_us);
  ASSERT_EQ(r.percentiles.size(), 2u);  // from the p* counters present
  EXPECT_EQ(r.percentiles[1], std::make_pair(99.0, 30.0));
}

TEST(RecordParser, ThroughputFallsBackToRealTime) {
  RunRecord r =
      parse({{"name", "echo/nio:reactors/c:1/d:1/s:64"}, {"real_time", 2.0}, {"time_unit", "ms"}});
  EXPECT_DOUBLE_EQ(*r.requests_per_s, 500);
}

TEST(RecordParser, FlagsOnTheEntryOrInItsIombObject) {
  RunRecord a =
      parse({{"name", "echo/a:b/c:1/d:1/s:64"}, {"saturated", true}, {"client_bound", 1}});
  EXPECT_TRUE(a.saturated);
  EXPECT_TRUE(a.client_bound);
  RunRecord b = parse({{"name", "echo/a:b/c:1/d:1/s:64"},
                       {"iomb", {{"saturated", false}, {"client_bound", true}}}});
  EXPECT_FALSE(b.saturated);
  EXPECT_TRUE(b.client_bound);
  EXPECT_FALSE(b.starved);
  RunRecord starved = parse({{"name", "echo/a:b/c:3/d:1/s:64"}, {"iomb", {{"starved", true}}}});
  EXPECT_TRUE(starved.starved);
  RunRecord s = parse(
      {{"name", "echo/aio:rings/c:1/d:1/s:64"}, {"skipped", true}, {"skip_reason", "no io_uring"}});
  EXPECT_TRUE(s.skipped);
  EXPECT_EQ(s.skip_reason, "no io_uring");
  EXPECT_FALSE(s.requests_per_s);
}

TEST(RecordParser, FailedRunsFromErrorOccurredOrInvalid) {
  RunRecord e = parse({{"name", "echo/a:b/c:1/d:1/s:64"},
                       {"error_occurred", true},
                       {"error_message", "boom"},
                       {"items_per_second", 5.0}});
  EXPECT_TRUE(e.failed);
  EXPECT_EQ(e.error_message, "boom");
  EXPECT_FALSE(e.requests_per_s) << "a failed run's numbers are not used";
  RunRecord v = parse({{"name", "echo/a:b/c:1/d:1/s:64"},
                       {"iomb", {{"valid", false}, {"error", "verification failed"}}}});
  EXPECT_TRUE(v.failed);
  EXPECT_EQ(v.error_message, "verification failed");
}

TEST(RecordParser, AggregateNameComesFromRunNameOrSuffix) {
  RunRecord a = parse({{"name", "echo/a:b/c:1/d:1/s:64_median"},
                       {"run_type", "aggregate"},
                       {"aggregate_name", "median"}});
  EXPECT_TRUE(a.aggregate);
  EXPECT_EQ(a.aggregate_name, "median");
  EXPECT_EQ(a.name, "echo/a:b/c:1/d:1/s:64");
}

TEST(RecordParser, ClientCpuIsNotServerCpu) {
  RunRecord r = parse({{"name", "echo/a:b/c:1/d:1/s:64"},
                       {"cpu_time", 900.0},
                       {"iomb", {{"cpu_time_source", "client"}}}});
  EXPECT_FALSE(r.server_cpu_ns_per_req);
}

TEST(RecordParser, FloorFromTheEntryRatioWhenTheContextHasNone) {
  RunRecord r =
      parse({{"name", "echo/a:b/c:1/d:1/s:64"}, {"cpu_time", 9000.0}, {"cpu_floor_ratio", 2.0}},
            json::object());
  EXPECT_DOUBLE_EQ(*r.floor_ns, 4500);
}

TEST(RecordParser, PercentileArrayInPercentOrFractionsSortedWithoutHundred) {
  RunRecord p = parse({{"name", "echo/a:b/c:1/d:1/s:64"},
                       {"iomb", {{"percentiles", {{99, 30}, {50, 10}, {100, 99}, {"x", 1}}}}}});
  ASSERT_EQ(p.percentiles.size(), 2u);
  EXPECT_EQ(p.percentiles[0], std::make_pair(50.0, 10.0));
  EXPECT_EQ(p.percentiles[1], std::make_pair(99.0, 30.0));
  RunRecord f =
      parse({{"name", "echo/a:b/c:1/d:1/s:64"}, {"percentiles", {{0.5, 10}, {0.999, 40}}}});
  ASSERT_EQ(f.percentiles.size(), 2u);
  EXPECT_DOUBLE_EQ(f.percentiles[1].first, 99.9);
}

TEST(RecordParser, RejectsNonObjectsAndForeignNames) {
  std::string why;
  EXPECT_FALSE(parse_run_record(json::array(), kContext, &why));
  EXPECT_FALSE(why.empty());
  EXPECT_FALSE(parse_run_record({{"name", "BM_Memcpy/64"}}, kContext, &why));
  EXPECT_NE(why.find("BM_Memcpy/64"), std::string::npos);
}

}  // namespace
}  // namespace iomb::report
