// Tests for the small pure parts of the harness: open-loop schedule, aggregates, flag helpers,
// varint/base64 and the result-file entries.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/load/load_entry.h"
#include "harness/load/load_options.h"
#include "harness/load/open_loop_schedule.h"
#include "harness/load/varint_codec.h"
#include "harness/result/aggregates.h"
#include "harness/result/result_json.h"
#include "harness/run/server_launcher.h"

namespace iomb::harness {
namespace {

TEST(OpenLoopScheduleTest, ConstantSpacingHasNoDrift) {
  OpenLoopSchedule s(3000.0, Arrival::kConstant, 1);  // period 333333.33 ns
  s.start(1'000'000'000);
  int64_t first = s.next();
  for (int i = 0; i < 300'000; ++i) s.advance();
  // 300000 periods later: exactly 100 s, within rounding of one nanosecond.
  EXPECT_NEAR(static_cast<double>(s.next() - first), 100e9, 1.0);
  EXPECT_EQ(s.issued(), 300'000u);
}

TEST(OpenLoopScheduleTest, PoissonMeanGapMatchesRate) {
  OpenLoopSchedule s(10'000.0, Arrival::kPoisson, 42);
  s.start(0);
  int64_t first = s.next();
  const int n = 200'000;
  int64_t min_gap = INT64_MAX, max_gap = 0, prev = first;
  for (int i = 0; i < n; ++i) {
    s.advance();
    min_gap = std::min(min_gap, s.next() - prev);
    max_gap = std::max(max_gap, s.next() - prev);
    prev = s.next();
  }
  double mean_gap = static_cast<double>(prev - first) / n;
  EXPECT_NEAR(mean_gap, 100'000.0, 1'000.0);  // 1 %: ~4.5 standard errors at n = 200000
  EXPECT_LT(min_gap, 2'000) << "exponential gaps include very short ones";
  EXPECT_GT(max_gap, 500'000) << "and long ones";
}

TEST(AggregatesTest, MeanMedianStddevCv) {
  result::Aggregates a = result::aggregate({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(a.mean, 5.0);
  EXPECT_DOUBLE_EQ(a.median, 4.5);
  EXPECT_NEAR(a.stddev, 2.138089935, 1e-9);  // sample stddev (n - 1)
  EXPECT_NEAR(a.cv, 2.138089935 / 5.0, 1e-9);
  result::Aggregates one = result::aggregate({3});
  EXPECT_EQ(one.stddev, 0);
  EXPECT_EQ(one.median, 3);
  EXPECT_EQ(result::aggregate({}).mean, 0);
}

TEST(LoadOptionsTest, SplitHostPort) {
  std::string host;
  uint16_t port = 0;
  split_host_port("127.0.0.1:8080", &host, &port);
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  split_host_port("[::1]:9", &host, &port);
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 9);
  EXPECT_THROW(split_host_port("localhost", &host, &port), std::invalid_argument);
  EXPECT_THROW(split_host_port("h:0", &host, &port), std::invalid_argument);
  EXPECT_THROW(split_host_port("h:70000", &host, &port), std::invalid_argument);
  EXPECT_THROW(split_host_port("h:80x", &host, &port), std::invalid_argument);
}

TEST(ServerLauncherTest, SplitArgsLikeAShell) {
  EXPECT_EQ(split_args("--mode pool  --threads 4"),
            (std::vector<std::string>{"--mode", "pool", "--threads", "4"}));
  EXPECT_EQ(split_args("--node-id 'a b' --x \"\""),
            (std::vector<std::string>{"--node-id", "a b", "--x", ""}));
  EXPECT_TRUE(split_args("").empty());
  EXPECT_THROW(split_args("--x 'open"), std::invalid_argument);
  EXPECT_EQ(resolve_server_binary("./my-server"), "./my-server");
  EXPECT_NE(resolve_server_binary("bio").find("/iomb-bio"), std::string::npos);
}

TEST(VarintCodecTest, RoundTrips) {
  std::string bytes;
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 1ull << 40, ~0ull}) put_varint(bytes, v);
  VarintReader in(bytes);
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 1ull << 40, ~0ull}) {
    uint64_t got = 0;
    ASSERT_TRUE(in.next(&got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.done());
  for (size_t len = 0; len < 8; ++len) {
    std::string s(bytes.substr(0, len));
    auto back = base64_decode(base64_encode(s));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_FALSE(base64_decode("Zm8").has_value());
  EXPECT_FALSE(base64_decode("Z=m8").has_value());
}

TEST(ResultJsonTest, NamesFollowTheDesign) {
  LoadOptions o;
  o.connections = 100;
  o.pipeline = 1;
  o.size = 64;
  EXPECT_EQ(benchmark_name(o, "bio", "thread-per-conn"), "echo/bio:thread-per-conn/c:100/d:1/s:64");
  o.rate = 20000;
  EXPECT_EQ(benchmark_name(o, "nio", "reactors"), "echo/nio:reactors/c:100/d:1/s:64/r:20000");
}

LoadResult fake_result(uint64_t completed, double window_s, bool open_loop) {
  LoadResult r;
  r.ok = true;
  r.client_io = "uring";
  r.merged.completed = completed;
  r.merged.window_start_ns = 1;
  r.merged.window_end_ns = 1 + static_cast<int64_t>(window_s * 1e9);
  for (uint64_t i = 0; i < completed; ++i) {
    r.merged.corrected.record(static_cast<int64_t>(10'000 + i % 1000));
    if (open_loop) r.merged.uncorrected.record(10'000);
  }
  r.client_cpu_s = 0.5;
  return r;
}

TEST(ResultJsonTest, IterationEntryHasTheGoogleBenchmarkFieldsAndCounters) {
  LoadOptions o;
  o.rate = 1000;
  LoadResult r = fake_result(2000, 2.0, true);
  r.derive(o);
  ServerMeasure server;
  server.cpu_s = 0.01;
  server.rss_peak_kib = 1234;
  server.threads = 3;
  server.ctx_switches = 4000;
  server.floor_ns = 2500;
  nlohmann::json e = iteration_entry("echo/x:y/c:10/d:1/s:64/r:1000", 1, 3, o, r, &server);
  EXPECT_EQ(e["run_type"], "iteration");
  EXPECT_EQ(e["repetition_index"], 1);
  EXPECT_EQ(e["iterations"], 2000);
  EXPECT_EQ(e["time_unit"], "ns");
  EXPECT_NEAR(e["real_time"].get<double>(), 1e6, 1);     // 2 s / 2000 requests
  EXPECT_NEAR(e["cpu_time"].get<double>(), 5000, 1e-6);  // 10 ms / 2000
  EXPECT_NEAR(e["cpu_floor_ratio"].get<double>(), 2.0, 1e-9);
  EXPECT_NEAR(e["ctx_switches_per_req"].get<double>(), 2.0, 1e-9);
  EXPECT_NEAR(e["achieved_rate"].get<double>(), 1000, 1e-6);
  EXPECT_EQ(e["offered_rate"], 1000.0);
  for (const char* k :
       {"items_per_second", "bytes_per_second", "p50_us", "p90_us", "p99_us", "p999_us", "p9999_us",
        "max_us", "errors", "server_rss_kib", "server_threads", "client_cpu_util",
        "uncorrected_p50_us", "uncorrected_p99_us", "uncorrected_max_us"}) {
    EXPECT_TRUE(e.contains(k)) << k;
  }
  EXPECT_FALSE(e.contains("syscalls_per_req"));
  auto h = Histogram::decode(e["iomb"]["histogram"].get<std::string>());
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->count(), 2000u);
  EXPECT_FALSE(e["iomb"]["saturated"].get<bool>());
}

TEST(ResultJsonTest, SaturatedBelowNinetyFivePercentOfOffered) {
  LoadOptions o;
  o.rate = 1000;
  LoadResult r = fake_result(1880, 2.0, true);  // 940/s = 94 %
  r.derive(o);
  EXPECT_TRUE(r.saturated);
  LoadResult ok = fake_result(1920, 2.0, true);  // 96 %
  ok.derive(o);
  EXPECT_FALSE(ok.saturated);
}

TEST(ResultJsonTest, AggregatesOverRepetitions) {
  LoadOptions o;
  std::vector<nlohmann::json> its;
  for (int i = 0; i < 3; ++i) {
    LoadResult r = fake_result(1000 * static_cast<uint64_t>(i + 1), 1.0, false);
    r.derive(o);
    its.push_back(iteration_entry("n", i, 3, o, r, nullptr));
  }
  auto aggs = result::aggregate_entries("n", its);
  ASSERT_EQ(aggs.size(), 4u);
  EXPECT_EQ(aggs[0]["name"], "n_mean");
  EXPECT_EQ(aggs[0]["run_type"], "aggregate");
  EXPECT_EQ(aggs[0]["aggregate_name"], "mean");
  EXPECT_NEAR(aggs[0]["items_per_second"].get<double>(), 2000, 1e-6);
  EXPECT_NEAR(aggs[1]["items_per_second"].get<double>(), 2000, 1e-6);
  EXPECT_NEAR(aggs[2]["items_per_second"].get<double>(), 1000, 1e-6);
  EXPECT_NEAR(aggs[3]["items_per_second"].get<double>(), 0.5, 1e-9);
  EXPECT_EQ(aggs[3]["aggregate_unit"], "percentage");
  EXPECT_FALSE(aggs[0].contains("iomb"));
  // Failed runs are not aggregated.
  its.push_back(result::error_entry("n", 3, 4, "server crashed"));
  EXPECT_EQ(result::aggregate_entries("n", its)[0]["iterations"], 3);
}

}  // namespace
}  // namespace iomb::harness
