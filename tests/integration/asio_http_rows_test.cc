// iomb-asio rows of the HTTP suite (context-per-thread with one and two io_contexts, shared
// with two threads), and asio-only HTTP cases: --max-pending-bytes backpressure with pipelined
// requests.
#include <signal.h>

#include <string>
#include <thread>

#include "tests/integration/http_suite.h"
#include "tests/integration/http_test_client.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

INSTANTIATE_TEST_SUITE_P(Asio, HttpServerTest,
                         ::testing::Values(ServerRow{"asio", "context-per-thread", {}},
                                           ServerRow{
                                               "asio", "context-per-thread", {"--threads", "2"}},
                                           ServerRow{"asio", "shared", {"--threads", "2"}}),
                         row_name);

class AsioHttpTest : public ::testing::TestWithParam<std::string> {};

// A pipelined batch whose responses far exceed --max-pending-bytes: every response arrives,
// in order (the server parses a slice, writes, and resumes parsing the rest of its buffer).
TEST_P(AsioHttpTest, PipelinedResponsesBeyondMaxPendingBytes) {
  ServerProcess server(binary_path("iomb-asio"), {"--protocol", "http", "--mode", GetParam(),
                                                  "--threads", "2", "--max-pending-bytes", "1"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  auto fd = connect_loopback(server.port());
  std::string batch;
  constexpr int kRequests = 200;
  for (int i = 0; i < kRequests; ++i) {
    batch += "POST /echo HTTP/1.1\r\nContent-Length: " + std::to_string(std::to_string(i).size()) +
             "\r\n\r\n" + std::to_string(i);
  }
  ASSERT_EQ(send_all(fd.get(), batch), batch.size());
  std::string buffer;
  auto r = read_responses(fd.get(), kRequests, &buffer);
  ASSERT_EQ(r.size(), static_cast<size_t>(kRequests));
  for (int i = 0; i < kRequests; ++i) EXPECT_EQ(r[i].body, std::to_string(i)) << i;
  EXPECT_EQ(buffer, "");
  fd.reset();
  auto stopped = server.stop(SIGTERM);
  EXPECT_EQ(stopped.value("requests", 0), kRequests);
}

INSTANTIATE_TEST_SUITE_P(Asio, AsioHttpTest, ::testing::Values("context-per-thread", "shared"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace iomb::testing
