// HTTP cases about how a server ends a connection, run against every server row: a request
// trickled one byte at a time is closed by the request deadline (the idle timeout alone never
// fires), and after a closing response the server lingers, reading and discarding what the
// client still sends so that no RST destroys the response.
#include <signal.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/integration/http_suite.h"
#include "tests/integration/http_test_client.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

// One byte every 100 ms keeps the connection from ever being idle for 500 ms; only the
// request deadline can close it. The bytes are a request line and then a header value that
// never ends, so the close cannot come from a parse error either.
TEST_P(HttpServerTest, TricklingSlowlorisHitsTheRequestDeadline) {
  IOMB_HTTP_START(server, {"--idle-timeout-ms", "500"});
  auto fd = connect_loopback(server->port());
  const std::string req = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {  // bounded: at most 100 bytes, ~10 s
    char c = static_cast<size_t>(i) < req.size() ? req[static_cast<size_t>(i)] : 'a';
    if (send_all(fd.get(), std::string_view(&c, 1), 1s) != 1) closed = true;
    if (!closed && wait_peer_closed(fd.get(), 100ms)) closed = true;
  }
  EXPECT_TRUE(closed) << "a request trickling one byte per 100 ms was never closed";
  fd.reset();
  auto stopped = server->stop(SIGTERM);
  EXPECT_GE(stopped.value("closed_idle", 0), 1);
}

}  // namespace
}  // namespace iomb::testing
