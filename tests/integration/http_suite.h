// The HTTP integration suite (DESIGN §3.4-3.5): the same cases run against every
// server row. A model adds its rows with INSTANTIATE_TEST_SUITE_P(<Model>, HttpServerTest, ...)
// in its own <model>_http_rows_test.cc, reusing echo_suite.h's ServerRow (and its buffered rows
// with HttpBufferedServerTest). Test threads only.
#pragma once

#include "tests/integration/echo_suite.h"

// In a TEST_P of HttpServerTest: starts the row's server with --protocol http and the given
// flags into `var`; returns when start_http() skipped, fails the test when it did not start.
#define IOMB_HTTP_START(var, ...)           \
  auto var = start_http(__VA_ARGS__);       \
  if (::testing::Test::IsSkipped()) return; \
  ASSERT_TRUE(var->started())

namespace iomb::testing {

class HttpServerTest : public EchoServerTest {
 protected:
  // start() with "--protocol http" and `extra` flags.
  std::unique_ptr<ServerProcess> start_http(std::vector<std::string> extra = {});
};

// The rows of servers that buffer a connection's unsent responses and pause reading it past
// --max-pending-bytes (counted as backpressure_stalls). A model adds them with
// INSTANTIATE_TEST_SUITE_P(<Model>, HttpBufferedServerTest, ...); bio does not: its blocked
// send is its backpressure, with no output buffer and so no pause to count.
class HttpBufferedServerTest : public HttpServerTest {};

}  // namespace iomb::testing
