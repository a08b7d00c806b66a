// HTTP cases about how a server ends a connection, run against every server row: a request
// trickled one byte at a time is closed by the request deadline (the idle timeout alone never
// fires), and after a closing response the server lingers, reading and discarding what the
// client still sends so that no RST destroys the response, for at most 2 s whatever the idle
// timeout.
#include <signal.h>
#include <sys/socket.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/integration/http_suite.h"
#include "tests/integration/http_test_client.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

// Sends piece(i) for i = 0, 1, ... (at most `pieces`, one per 100 ms) until the server closes
// the connection. Returns whether it did.
template <typename Piece>
bool drip_until_closed(int fd, int pieces, Piece piece) {
  for (int i = 0; i < pieces; ++i) {
    const std::string bytes = piece(i);
    if (send_all(fd, bytes, 1s) != bytes.size()) return true;
    if (wait_peer_closed(fd, 100ms)) return true;
  }
  return false;
}

// One byte every 100 ms keeps the connection from ever being idle for 500 ms; only the
// request deadline can close it. The bytes are a request line and then a header value that
// never ends, so the close cannot come from a parse error either.
TEST_P(HttpServerTest, TricklingSlowlorisHitsTheRequestDeadline) {
  IOMB_HTTP_START(server, {"--idle-timeout-ms", "500"});
  auto fd = connect_loopback(server->port());
  const std::string req = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  // Bounded: at most 100 bytes, ~10 s.
  const bool closed = drip_until_closed(fd.get(), 100, [&](int i) {
    const auto at = static_cast<size_t>(i);
    return std::string(1, at < req.size() ? req[at] : 'a');
  });
  EXPECT_TRUE(closed) << "a request trickling one byte per 100 ms was never closed";
  fd.reset();
  auto stopped = server->stop(SIGTERM);
  EXPECT_GE(stopped.value("closed_idle", 0), 1);
}

// CR LF before a request line never starts a message for the parser (RFC 9112 §2.2 lets a
// server skip them), so a client sending "\r\n" every 100 ms once held its connection (a
// thread in bio) for ever: bytes received with no complete request are a request in progress.
TEST_P(HttpServerTest, BlankLinesBeforeARequestHitTheRequestDeadline) {
  IOMB_HTTP_START(server, {"--idle-timeout-ms", "500"});
  auto fd = connect_loopback(server->port());
  // Bounded: at most 50 blank lines, ~5 s.
  const bool closed = drip_until_closed(fd.get(), 50, [](int) { return std::string("\r\n"); });
  EXPECT_TRUE(closed) << "blank lines every 100 ms held the connection past the deadline";
  fd.reset();
  auto stopped = server->stop(SIGTERM);
  EXPECT_GE(stopped.value("closed_idle", 0), 1);
}

// A blank line after a request (some clients send one) is skipped: the next request on the
// connection is answered.
TEST_P(HttpServerTest, BlankLineBetweenRequestsIsSkipped) {
  IOMB_HTTP_START(server);
  auto fd = connect_loopback(server->port());
  const std::string req = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n\r\n";
  std::string buffer;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(send_all(fd.get(), req), req.size());
    auto r = read_response(fd.get(), &buffer);
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok");
  }
}

// After a response that closes, the server sends FIN but keeps reading (and discarding) what
// the client still sends, so the client's late bytes meet no RST that could destroy the
// response; the server closes once the client does.
TEST_P(HttpServerTest, LingeringCloseDiscardsLateInput) {
  IOMB_HTTP_START(server);
  auto fd = connect_loopback(server->port());
  std::string req = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  req += std::string(4096, 'x');  // input the server will never parse
  ASSERT_EQ(send_all(fd.get(), req), req.size());
  std::string buffer;
  auto r = read_response(fd.get(), &buffer);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(wait_peer_closed(fd.get(), 5s)) << "no FIN after the response";
  // The server still reads: late bytes are accepted without a reset.
  const std::string late(64 * 1024, 'y');
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(send_all(fd.get(), late, 2s), late.size()) << "round " << i;
    std::this_thread::sleep_for(20ms);
  }
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  EXPECT_EQ(err, 0);
  fd.reset();
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(stopped.value("closed_by_server", 0), 1);
  EXPECT_EQ(stopped.value("errors", nlohmann::json::object()).value("reset", 0), 0);
}

// Each way a response can close the connection (Connection: close, HTTP/1.0, a 400), followed
// by 256 KiB the server never parses: the response still arrives whole, then the connection
// ends in an orderly way (shutdown, read and discard, close) with a clean EOF.
TEST_P(HttpServerTest, ClosingResponseSurvivesUnreadInput) {
  IOMB_HTTP_START(server);
  struct Closing {
    std::string request;
    int status;
  };
  for (const Closing& first : {Closing{get_request("/", {}, "Connection: close\r\n"), 200},
                               Closing{"GET / HTTP/1.0\r\n\r\n", 200},
                               Closing{"GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400}}) {
    auto fd = connect_loopback(server->port());
    std::string all = first.request + random_bytes(256 * 1024, 5);
    const size_t sent = send_all(fd.get(), all, 5s);
    // A well-formed closing request: the lingering server takes every byte. After a 400 the
    // server may stop taking input once it answered.
    if (first.status == 200) {
      EXPECT_EQ(sent, all.size()) << first.request;
    }
    std::string text = recv_until_close(fd.get(), 5s);
    auto r = http::testing::parse_responses(text);
    ASSERT_EQ(r.size(), 1u) << first.request << text.substr(0, 200);
    EXPECT_EQ(r[0].status, first.status) << first.request;
    EXPECT_EQ(r[0].header("Connection"), "close") << first.request;
    if (first.status == 200) {
      EXPECT_EQ(r[0].body, "Hello, World!") << first.request;
    }
  }
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(server->exit_code(), 0);
  EXPECT_EQ(stopped.value("requests", 0), 3);
}

// A client that keeps sending after the closing response and never closes: the lingering close
// ends within the same bound in every model (2 s, or 1 MiB discarded), with the idle timeout
// off and with the default 60 s one (which must not stretch it).
TEST_P(HttpServerTest, LingeringCloseIsBoundedWhateverTheIdleTimeout) {
  for (const char* idle : {"0", "60000"}) {
    IOMB_HTTP_START(server, {"--idle-timeout-ms", idle});
    auto fd = connect_loopback(server->port());
    std::string req = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ASSERT_EQ(send_all(fd.get(), req), req.size());
    std::string buffer;
    auto r = read_response(fd.get(), &buffer);
    ASSERT_TRUE(r) << "--idle-timeout-ms " << idle;
    EXPECT_EQ(r->status, 200);
    const auto start = std::chrono::steady_clock::now();
    // 40 KiB/s: the 1 MiB bound is far, so the time bound must end it. Once the server closed,
    // a send fails (EPIPE/ECONNRESET: the half-closed socket's peer is gone).
    const std::string chunk(4096, 'x');
    bool ended = false;
    for (int i = 0; i < 100 && !ended; ++i) {  // bounded: ~10 s, 400 KiB
      ssize_t n = ::send(fd.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
        ended = true;
      } else {
        std::this_thread::sleep_for(100ms);
      }
    }
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(ended) << "--idle-timeout-ms " << idle << ": the lingering close never ended";
    EXPECT_LT(took, 4s) << "--idle-timeout-ms " << idle << ": the lingering close took "
                        << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                        << " ms";
    fd.reset();
    auto stopped = server->stop(SIGTERM);
    EXPECT_EQ(stopped.value("closed_by_server", 0), 1) << "--idle-timeout-ms " << idle;
  }
}

}  // namespace
}  // namespace iomb::testing
