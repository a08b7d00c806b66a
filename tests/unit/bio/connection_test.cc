// Unit tests of bio/connection.h: serve_connection on one end of a socketpair, run on its own
// thread as a connection thread would be. Checks the echo and HTTP loops and which counter
// each way of ending a connection adds (peer close, idle timeout, trickled request, HTTP
// close, shutdown). TCP_NODELAY fails on a unix socket; serve_connection ignores that.
#include "bio/connection.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "bio/connection_registry.h"
#include "common/http/memory_session_store.h"
#include "tests/integration/test_client.h"

namespace iomb::bio {
namespace {

using namespace std::chrono_literals;
using iomb::testing::recv_exact;
using iomb::testing::recv_until_close;
using iomb::testing::send_all;

class ServeConnection : public ::testing::Test {
 protected:
  // Starts serve_connection on one end; peer_ is the client's end.
  void start(bool http) {
    if (http) {
      http::MemorySessionStoreOptions so;
      so.node_id = "bio-test";
      http_ = std::make_unique<http::HttpService>(http::HttpServiceOptions{.node_id = "bio-test"},
                                                  std::make_unique<http::MemorySessionStore>(so),
                                                  nullptr);
    }
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    peer_ = UniqueFd(sv[1]);
    ASSERT_TRUE(registry_.add(sv[0]));
    served_ = std::async(std::launch::async, [this, fd = sv[0]] {
      ConnectionContext ctx{options_, counters_, registry_, stopping_, http_.get()};
      serve_connection(UniqueFd(fd), ctx);
    });
  }
  // Waits for serve_connection to return; it must have unregistered the fd.
  bool finished(std::chrono::milliseconds timeout = 5000ms) {
    if (served_.wait_for(timeout) != std::future_status::ready) return false;
    served_.get();
    return registry_.size() == 0;
  }
  uint64_t count(Counter c) const { return counters_.snapshot()[c]; }

  void TearDown() override {
    // A failed test must not leave the thread blocked in recv.
    if (served_.valid()) {
      stopping_ = true;
      registry_.shutdown_all();
      served_.wait();
    }
  }

  ServerOptions options_;
  Counters counters_;
  ConnectionRegistry registry_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<http::HttpService> http_;
  UniqueFd peer_;
  std::future<void> served_;
};

TEST_F(ServeConnection, EchoesUntilThePeerCloses) {
  start(false);
  const std::string message = iomb::testing::random_bytes(40'000, 7);
  ASSERT_EQ(send_all(peer_.get(), message), message.size());
  EXPECT_EQ(recv_exact(peer_.get(), message.size()), message);
  ::shutdown(peer_.get(), SHUT_WR);
  ASSERT_TRUE(finished());
  EXPECT_EQ(count(Counter::kClosedByPeer), 1u);
  EXPECT_EQ(count(Counter::kBytesIn), message.size());
  EXPECT_EQ(count(Counter::kBytesOut), message.size());
  EXPECT_GE(count(Counter::kRequests), 1u);
}

TEST_F(ServeConnection, SilentPeerIsClosedAfterTheIdleTimeout) {
  options_.idle_timeout_ms = 100;
  start(false);
  ASSERT_TRUE(finished());
  EXPECT_EQ(count(Counter::kClosedIdle), 1u);
  EXPECT_EQ(recv_until_close(peer_.get(), 1000ms), "");
}

TEST_F(ServeConnection, ShutdownEndsABlockedConnectionAsClosedByServer) {
  start(false);
  EXPECT_FALSE(finished(50ms));
  stopping_ = true;
  registry_.shutdown_all();
  ASSERT_TRUE(finished());
  EXPECT_EQ(count(Counter::kClosedByServer), 1u);
}

TEST_F(ServeConnection, HttpKeepAliveThenConnectionClose) {
  start(true);
  ASSERT_GT(
      send_all(peer_.get(), "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nConnection: close\r\n\r\n"),
      0u);
  std::string out = recv_until_close(peer_.get());
  size_t first = out.find("Hello, World!");
  ASSERT_NE(first, std::string::npos) << out;
  EXPECT_NE(out.find("Hello, World!", first + 1), std::string::npos) << out;
  peer_.reset();  // ends the lingering close
  ASSERT_TRUE(finished());
  EXPECT_EQ(count(Counter::kRequests), 2u);
  EXPECT_EQ(count(Counter::kClosedByServer), 1u);
}

TEST_F(ServeConnection, TrickledHttpRequestHitsTheRequestDeadline) {
  options_.idle_timeout_ms = 200;
  start(true);
  // Each byte arrives well within the idle timeout, so only the request deadline can fire.
  const std::string request = "GET / HTTP/1.1\r\nHost: a-very-long-host-name.example\r\n";
  bool closed = false;
  for (char c : request) {
    if (send_all(peer_.get(), std::string_view(&c, 1), 1000ms) != 1) break;
    if (served_.wait_for(40ms) == std::future_status::ready) {
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed) << "a trickled request outlived the request deadline";
  ASSERT_TRUE(finished());
  EXPECT_EQ(count(Counter::kClosedIdle), 1u);
  EXPECT_EQ(count(Counter::kRequests), 0u);
}

}  // namespace
}  // namespace iomb::bio
