// The echo cases of DESIGN §3.4 and §5, run against every server row. Each asserts exact bytes.
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <random>
#include <thread>

#include "common/socket_ops.h"
#include "tests/integration/echo_suite.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

TEST_P(EchoServerTest, OneConnectionOneByte) {
  IOMB_START(server);
  auto fd = connect_loopback(server->port());
  EXPECT_TRUE(echo_roundtrip(fd.get(), "x"));
  fd.reset();
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(server->exit_code(), 0);
  EXPECT_EQ(stopped.value("bytes_in", 0), 1);
  EXPECT_EQ(stopped.value("bytes_out", 0), 1);
  EXPECT_GE(stopped.value("accepted", 0), 1);
}

// Random sizes 1 B..256 KiB, many messages in flight per connection (a writer thread sends
// while the reader checks the stream), on several connections at once.
TEST_P(EchoServerTest, RandomSizesManyInFlight) {
  IOMB_START(server);
  constexpr int kConnections = 4;
  constexpr int kMessages = 24;
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  std::atomic<uint64_t> total{0};
  for (int c = 0; c < kConnections; ++c) {
    threads.emplace_back([&, c] {
      auto fd = connect_loopback(server->port());
      std::mt19937 rng(1234 + c);
      std::string stream;
      for (int m = 0; m < kMessages; ++m) {
        size_t size = 1 + rng() % (256 * 1024);
        if (m % 3 == 0) size = 1 + rng() % 64;
        stream += random_bytes(size, rng());
      }
      std::thread writer([&] {
        // Many messages in flight: send in message-sized pieces without waiting for replies.
        size_t off = 0;
        std::mt19937 chunk_rng(c);
        while (off < stream.size()) {
          size_t n = std::min(stream.size() - off, size_t{1} + chunk_rng() % 100000);
          if (send_all(fd.get(), std::string_view(stream).substr(off, n), 10s) != n) return;
          off += n;
        }
      });
      std::string got = recv_exact(fd.get(), stream.size(), 20s);
      writer.join();
      total += got.size();
      if (got != stream) ++mismatches;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(stopped.value("bytes_out", 0ull), total.load());
}

TEST_P(EchoServerTest, FiveHundredConcurrentConnections) {
  IOMB_START(server);
  std::vector<UniqueFd> fds;
  for (int i = 0; i < 500; ++i) fds.push_back(connect_loopback(server->port()));
  // Every connection is open at once; each gets its own message back.
  for (int i = 0; i < 500; ++i) {
    std::string msg = "conn-" + std::to_string(i) + "-" + random_bytes(50, i);
    ASSERT_EQ(send_all(fds[i].get(), msg), msg.size());
  }
  for (int i = 0; i < 500; ++i) {
    std::string msg = "conn-" + std::to_string(i) + "-" + random_bytes(50, i);
    ASSERT_EQ(recv_exact(fds[i].get(), msg.size(), 10s), msg) << "connection " << i;
  }
  fds.clear();
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(server->exit_code(), 0);
  EXPECT_EQ(stopped.value("accepted", 0), 500);
}

// The client shuts down its write side: everything sent is still echoed, then the server
// closes.
TEST_P(EchoServerTest, PeerHalfCloseStillEchoesThenCloses) {
  IOMB_START(server);
  auto fd = connect_loopback(server->port());
  std::string msg = random_bytes(100000, 7);
  ASSERT_EQ(send_all(fd.get(), msg), msg.size());
  ASSERT_EQ(::shutdown(fd.get(), SHUT_WR), 0);
  std::string got = recv_until_close(fd.get(), 5s);
  EXPECT_EQ(got.size(), msg.size());
  EXPECT_TRUE(got == msg);
  fd.reset();
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(stopped.value("closed_by_peer", 0), 1);
}

// A peer resets its connection mid-message; the server survives and other clients carry on.
TEST_P(EchoServerTest, PeerResetMidMessageDoesNotAffectOthers) {
  IOMB_START(server);
  auto other = connect_loopback(server->port());
  ASSERT_TRUE(echo_roundtrip(other.get(), "before"));
  for (int i = 0; i < 20; ++i) {
    auto victim = connect_loopback(server->port());
    std::string part = random_bytes(200000, i);
    send_all(victim.get(), part, 2s);
    linger lg{1, 0};  // close with RST
    ::setsockopt(victim.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  ASSERT_TRUE(echo_roundtrip(other.get(), "after"));
  auto fresh = connect_loopback(server->port());
  ASSERT_TRUE(echo_roundtrip(fresh.get(), "fresh"));
  EXPECT_TRUE(server->running());
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(server->exit_code(), 0);
}

// A peer that sends but never reads: the server stops reading it once --max-pending-bytes is
// unsent (so the sender stalls) and its memory stays bounded; others are unaffected.
TEST_P(EchoServerTest, PeerThatNeverReadsIsBounded) {
  IOMB_START(server, {"--max-pending-bytes", "64KiB"});
  {
    // Baseline after the server has started every thread and served once.
    auto warm = connect_loopback(server->port());
    ASSERT_TRUE(echo_roundtrip(warm.get(), random_bytes(100000, 1)));
  }
  std::this_thread::sleep_for(300ms);
  long rss_before = server->rss_kib();
  auto hog = connect_loopback(server->port());
  int small = 64 * 1024;
  ::setsockopt(hog.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  std::string chunk = random_bytes(1 << 20, 3);
  size_t sent = 0;
  for (int i = 0; i < 64; ++i) {
    size_t n = send_all(hog.get(), chunk, 300ms);
    sent += n;
    if (n < chunk.size()) break;
  }
  // Kernel buffers on both sides hold a few MiB at most; 64 MiB can never all be accepted.
  EXPECT_LT(sent, 32u << 20) << "the server kept reading a peer that never reads";
  long rss_after = server->rss_kib();
  EXPECT_LT(rss_after - rss_before, 16 * 1024)
      << "server RSS grew by " << (rss_after - rss_before) << " KiB";
  auto other = connect_loopback(server->port());
  EXPECT_TRUE(echo_roundtrip(other.get(), "still served", 5s));
  hog.reset();
  other.reset();
  server->stop(SIGTERM);
  EXPECT_EQ(server->exit_code(), 0);
}

TEST_P(EchoServerTest, IdleConnectionIsClosedAfterTimeout) {
  IOMB_START(server, {"--idle-timeout-ms", "300"});
  auto idle = connect_loopback(server->port());
  ASSERT_TRUE(echo_roundtrip(idle.get(), "hi"));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_peer_closed(idle.get(), 5s));
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, 200ms);
  EXPECT_LT(waited, 3s);
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(stopped.value("closed_idle", 0), 1);
}

// An active connection is not closed by the idle timeout.
TEST_P(EchoServerTest, ActiveConnectionOutlivesIdleTimeout) {
  IOMB_START(server, {"--idle-timeout-ms", "400"});
  auto fd = connect_loopback(server->port());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(echo_roundtrip(fd.get(), "tick" + std::to_string(i))) << i;
    std::this_thread::sleep_for(150ms);
  }
  server->stop(SIGTERM);
}

TEST_P(EchoServerTest, ConnectionsBeyondMaxConnsAreClosedAndCounted) {
  IOMB_START(server, {"--max-conns", "2"});
  auto a = connect_loopback(server->port());
  auto b = connect_loopback(server->port());
  ASSERT_TRUE(echo_roundtrip(a.get(), "a"));
  ASSERT_TRUE(echo_roundtrip(b.get(), "b"));
  auto c = connect_loopback(server->port());
  EXPECT_TRUE(wait_peer_closed(c.get(), 3s));
  // Closing one frees a slot.
  a.reset();
  std::this_thread::sleep_for(200ms);
  auto d = connect_loopback(server->port());
  EXPECT_TRUE(echo_roundtrip(d.get(), "d"));
  auto stopped = server->stop(SIGTERM);
  EXPECT_GE(stopped.value("rejected", 0), 1);
  EXPECT_EQ(stopped.value("accepted", 0), 3);
}

TEST_P(EchoServerTest, SigtermWithOpenConnectionsStopsCleanly) {
  IOMB_START(server);
  std::vector<UniqueFd> fds;
  for (int i = 0; i < 50; ++i) {
    fds.push_back(connect_loopback(server->port()));
    ASSERT_TRUE(echo_roundtrip(fds.back().get(), "open"));
  }
  auto t0 = std::chrono::steady_clock::now();
  auto stopped = server->stop(SIGTERM, 5s);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(server->exit_code(), 0);
  EXPECT_EQ(stopped.value("event", ""), "stopped");
  EXPECT_EQ(stopped.value("accepted", 0), 50);
  for (auto& fd : fds) EXPECT_TRUE(wait_peer_closed(fd.get(), 2s));
}

TEST_P(EchoServerTest, SigintAlsoStops) {
  IOMB_START(server);
  auto stopped = server->stop(SIGINT);
  EXPECT_EQ(server->exit_code(), 0);
  EXPECT_EQ(stopped.value("event", ""), "stopped");
}

TEST_P(EchoServerTest, BadFlagExitsTwo) {
  const ServerRow& row = GetParam();
  ServerProcess bad(binary_path("iomb-" + row.model), {"--mode", row.mode, "--threads", "0"},
                    std::chrono::seconds(5));
  EXPECT_FALSE(bad.started());
  bad.wait_exit(5s);
  EXPECT_EQ(bad.exit_code(), 2);
  EXPECT_NE(bad.stderr_text().find("--threads"), std::string::npos) << bad.stderr_text();
}

TEST_P(EchoServerTest, PortInUseExitsOneNamingTheCall) {
  const ServerRow& row = GetParam();
  ListenConfig taken;  // without SO_REUSEPORT, so the server's bind must fail
  auto holder = listen_tcp(taken);
  std::string port = std::to_string(local_port(holder.get()));
  ServerProcess bad(binary_path("iomb-" + row.model), {"--mode", row.mode, "--port", port},
                    std::chrono::seconds(5));
  EXPECT_FALSE(bad.started());
  bad.wait_exit(5s);
  EXPECT_EQ(bad.exit_code(), 1);
  EXPECT_NE(bad.stderr_text().find("bind"), std::string::npos) << bad.stderr_text();
}

}  // namespace
}  // namespace iomb::testing
