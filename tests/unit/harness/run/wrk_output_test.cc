// parse_wrk_output on `wrk --latency` texts: a clean run, one with socket errors and non-2xx
// responses, other units, and output without a summary (wrk could not connect).
#include "harness/run/wrk_output.h"

#include <gtest/gtest.h>

namespace iomb::harness {
namespace {

constexpr char kClean[] = R"(Running 1s test @ http://127.0.0.1:40123/
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   120.55us   40.12us   2.31ms   91.02%
    Req/Sec    78.12k     3.01k   81.90k    80.00%
  Latency Distribution
     50%  110.00us
     75%  130.00us
     90%  160.00us
     99%  310.00us
  77733 requests in 1.00s, 9.12MB read
Requests/sec:  77658.21
Transfer/sec:      9.11MB
)";

constexpr char kErrors[] = R"(Running 10s test @ http://127.0.0.1:8080/
  2 threads and 1000 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.40ms    5.10ms    1.20s    88.50%
    Req/Sec    40.00k     2.00k   45.00k    70.00%
  Latency Distribution
     50%   11.00ms
     75%   14.00ms
     90%   18.00ms
     99%    1.05s
  800000 requests in 10.00s, 1.50GB read
  Socket errors: connect 3, read 20, write 1, timeout 6
  Non-2xx or 3xx responses: 42
Requests/sec:  79990.10
Transfer/sec:    153.60MB
)";

TEST(WrkOutput, ParsesACleanRun) {
  WrkOutput w = parse_wrk_output(kClean);
  ASSERT_TRUE(w.ok) << w.error;
  EXPECT_EQ(w.requests, 77733u);
  EXPECT_DOUBLE_EQ(w.duration_s, 1.0);
  EXPECT_DOUBLE_EQ(w.bytes_read, 9.12 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(w.requests_per_second, 77658.21);
  EXPECT_DOUBLE_EQ(*w.p50_us, 110.0);
  EXPECT_DOUBLE_EQ(*w.p75_us, 130.0);
  EXPECT_DOUBLE_EQ(*w.p90_us, 160.0);
  EXPECT_DOUBLE_EQ(*w.p99_us, 310.0);
  EXPECT_DOUBLE_EQ(*w.max_us, 2310.0);
  EXPECT_EQ(w.socket_errors, 0u);
  EXPECT_EQ(w.non_2xx, 0u);
  EXPECT_EQ(w.errors(), 0u);
}

TEST(WrkOutput, CountsSocketErrorsAndNon2xx) {
  WrkOutput w = parse_wrk_output(kErrors);
  ASSERT_TRUE(w.ok) << w.error;
  EXPECT_EQ(w.requests, 800000u);
  EXPECT_DOUBLE_EQ(w.bytes_read, 1.5 * 1024 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(*w.p50_us, 11000.0);
  EXPECT_DOUBLE_EQ(*w.p99_us, 1.05e6);
  EXPECT_DOUBLE_EQ(*w.max_us, 1.2e6);
  EXPECT_EQ(w.socket_errors, 30u);
  EXPECT_EQ(w.non_2xx, 42u);
  EXPECT_EQ(w.errors(), 72u);
}

TEST(WrkOutput, WithoutLatencyRowsThePercentilesAreUnset) {
  WrkOutput w =
      parse_wrk_output("  100 requests in 500.00ms, 12.00KB read\nRequests/sec:    200.00\n");
  ASSERT_TRUE(w.ok) << w.error;
  EXPECT_DOUBLE_EQ(w.duration_s, 0.5);
  EXPECT_DOUBLE_EQ(w.bytes_read, 12.0 * 1024);
  EXPECT_FALSE(w.p50_us.has_value());
  EXPECT_FALSE(w.max_us.has_value());
}

TEST(WrkOutput, NoSummaryIsAnError) {
  WrkOutput w = parse_wrk_output(
      "Running 1s test @ http://127.0.0.1:1/\n  1 threads and 1 connections\n"
      "unable to connect to 127.0.0.1:1 Connection refused\n");
  EXPECT_FALSE(w.ok);
  EXPECT_FALSE(w.error.empty());
}

}  // namespace
}  // namespace iomb::harness
