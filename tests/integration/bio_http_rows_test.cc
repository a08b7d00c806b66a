// iomb-bio rows of the HTTP suite, and bio-only HTTP cases (a trickling slowloris, which the
// request deadline closes).
#include <signal.h>

#include <thread>

#include "tests/integration/http_suite.h"
#include "tests/integration/http_test_client.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

INSTANTIATE_TEST_SUITE_P(Bio, HttpServerTest,
                         ::testing::Values(ServerRow{"bio", "thread-per-conn", {}},
                                           ServerRow{"bio", "pool", {"--threads", "16"}, true}),
                         row_name);

// One byte every 100 ms keeps SO_RCVTIMEO from firing; the request deadline closes it.
TEST(BioHttp, TricklingSlowlorisHitsTheRequestDeadline) {
  ServerProcess server(binary_path("iomb-bio"), {"--protocol", "http", "--idle-timeout-ms", "500"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  auto fd = connect_loopback(server.port());
  std::string req = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {  // bounded: at most 100 bytes, ~10 s
    char c = req[static_cast<size_t>(i) % req.size()];
    if (send_all(fd.get(), std::string_view(&c, 1), 1s) != 1) closed = true;
    if (!closed && wait_peer_closed(fd.get(), 100ms)) closed = true;
  }
  EXPECT_TRUE(closed) << "a request trickling one byte per 100 ms was never closed";
}

}  // namespace
}  // namespace iomb::testing
