// iomb-aio rows of the integration suites (default, --threads 2, --fixed-files,
// --zerocopy-send, --sqpoll), and aio-only cases: io_uring unavailable (exit 77), the buffer
// ring running dry, peers that never read holding buffers, 10,000 idle connections. Its
// out-of-descriptors row is the default one.
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "tests/integration/echo_suite.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

INSTANTIATE_TEST_SUITE_P(Aio, EchoServerTest,
                         ::testing::Values(ServerRow{"aio", "rings", {}},
                                           ServerRow{"aio", "rings", {"--threads", "2"}},
                                           ServerRow{"aio", "rings", {"--fixed-files"}},
                                           ServerRow{"aio", "rings", {"--zerocopy-send"}},
                                           ServerRow{"aio", "rings", {"--sqpoll"}}),
                         row_name);

// One ring, and two rings sharing the process's descriptor table: a sibling ring can take the
// descriptor one ring's spare freed, and that ring must then pause instead of spinning.
INSTANTIATE_TEST_SUITE_P(Aio, EmfileServerTest,
                         ::testing::Values(ServerRow{"aio", "rings", {}},
                                           ServerRow{"aio", "rings", {"--threads", "2"}}),
                         row_name);

// Starts iomb-aio; skips the test when io_uring is unavailable here.
#define IOMB_AIO_START(var, ...)                                   \
  ServerProcess var(binary_path("iomb-aio"), __VA_ARGS__);         \
  if (var.unavailable()) {                                         \
    GTEST_SKIP() << "io_uring unavailable: " << var.stderr_text(); \
  }                                                                \
  ASSERT_TRUE(var.started()) << var.stderr_text()

// The exit-77 path, simulated (a real kernel.io_uring_disabled needs root to set).
TEST(AioUnavailable, RingSetupFailureExits77WithOneLine) {
  for (const char* err : {"ENOSYS", "EPERM"}) {
    ServerProcess server(binary_path("iomb-aio"), {"--test-ring-failure", err}, 5s);
    EXPECT_FALSE(server.started());
    server.wait_exit(5s);
    EXPECT_EQ(server.exit_code(), 77) << err;
    EXPECT_TRUE(server.unavailable());
    std::string text = server.stderr_text();
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
    EXPECT_NE(text.find("unavailable"), std::string::npos) << text;
    EXPECT_NE(text.find("io_uring_queue_init"), std::string::npos) << text;
  }
}

// With --threads 3 every ring fails; the setup error of the threads is reported once.
TEST(AioUnavailable, EveryThreadFailingStillExits77) {
  ServerProcess server(binary_path("iomb-aio"), {"--threads", "3", "--test-ring-failure", "EPERM"},
                       5s);
  server.wait_exit(5s);
  EXPECT_EQ(server.exit_code(), 77);
}

TEST(AioReadyLine, RecordsRingSetup) {
  IOMB_AIO_START(server, {"--threads", "2"});
  std::string setup = server.ready().value("ring_setup", "");
  EXPECT_TRUE(setup == "single_issuer+defer_taskrun" || setup == "coop_taskrun" || setup == "plain")
      << setup;
  EXPECT_EQ(server.ready().value("threads", 0), 2);
  EXPECT_GE(server.ready().value("cq_entries", 0), 4096);
  server.stop(SIGTERM);
  EXPECT_EQ(server.exit_code(), 0);
}

// Sends `messages` on every connection at once without reading, then checks every echo.
void blast_and_verify(uint16_t port, int connections, size_t message_bytes) {
  std::vector<UniqueFd> fds;
  std::vector<std::string> sent;
  for (int i = 0; i < connections; ++i) {
    fds.push_back(connect_loopback(port));
    sent.push_back(random_bytes(message_bytes, 100 + i));
  }
  for (int i = 0; i < connections; ++i) {
    ASSERT_EQ(send_all(fds[i].get(), sent[i]), sent[i].size()) << i;
  }
  for (int i = 0; i < connections; ++i) {
    ASSERT_EQ(recv_exact(fds[i].get(), sent[i].size(), 10s), sent[i]) << "connection " << i;
  }
}

// 16 buffers of 256 B for 64 connections sending 16 KiB each: the buffer ring runs dry over
// and over (recv completes with ENOBUFS); every connection is re-armed as buffers come back
// and every byte is echoed.
TEST(AioBufferRing, RunningDryStallsNobody) {
  IOMB_AIO_START(server, {"--buffer-count", "16", "--buffer-size", "256"});
  blast_and_verify(server.port(), 64, 16 * 1024);
  auto stopped = server.stop(SIGTERM);
  EXPECT_EQ(server.exit_code(), 0);
  EXPECT_EQ(stopped.value("bytes_out", 0), 64 * 16 * 1024);
  EXPECT_NE(server.stderr_text().find("ran dry"), std::string::npos)
      << "the buffer ring never ran dry, the case was not exercised: " << server.stderr_text();
}

// Connects `count` peers that send a flood but never read (their receive buffers shrunk), so
// each ends up with a send stuck in the server and its reading paused.
std::vector<UniqueFd> connect_hogs(uint16_t port, int count) {
  std::vector<UniqueFd> hogs;
  const std::string chunk = random_bytes(4 << 20, 9);
  for (int i = 0; i < count; ++i) {
    hogs.push_back(connect_loopback(port));
    int small = 4096;
    ::setsockopt(hogs.back().get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    send_all(hogs.back().get(), chunk, 150ms);  // stalls once the server stops reading
  }
  return hogs;
}

// The ring-pressure figures of the server's exit line: bytes copied out of the ring, stuck
// sends cancelled (-1 if the line is missing).
std::pair<long long, long long> pressure_figures(const std::string& stderr_text) {
  // Plain string search: std::regex trips GCC 12's -Wmaybe-uninitialized under ASan.
  const size_t under = stderr_text.find("under ring pressure ");
  const size_t stuck = stderr_text.find(" bytes were copied out of the ring and ");
  if (under == std::string::npos || stuck == std::string::npos) return {-1, -1};
  const long long copied = std::atoll(stderr_text.c_str() + under + 20);
  const long long cancelled = std::atoll(stderr_text.c_str() + stuck + 39);
  return {copied, cancelled};
}

// "--fixed-files" -> "fixed_files": a test-name part.
std::string flag_name(const std::string& flag) {
  std::string name = flag.substr(2);
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

// The ring-pressure cases run with the send variants whose buffers differ in life: plain,
// direct descriptors, and zero-copy (a buffer waits for its notification too).
class AioRingPressure : public ::testing::TestWithParam<std::vector<std::string>> {
 protected:
  std::vector<std::string> args(std::vector<std::string> base) const {
    base.insert(base.end(), GetParam().begin(), GetParam().end());
    return base;
  }
};

INSTANTIATE_TEST_SUITE_P(Aio, AioRingPressure,
                         ::testing::Values(std::vector<std::string>{},
                                           std::vector<std::string>{"--fixed-files"},
                                           std::vector<std::string>{"--zerocopy-send"}),
                         [](const auto& row) {
                           return row.param.empty() ? std::string("plain")
                                                    : flag_name(row.param[0]);
                         });

// More peers that never read than the ring has buffers for at the pause threshold (16 x 4 >
// 64): held, their buffers would drain the ring for good. Under ring pressure the loop copies
// a paused connection's queue out of the ring, so the others are still served.
TEST_P(AioRingPressure, PeersThatNeverReadDoNotStarveOthers) {
  IOMB_AIO_START(server, args({"--buffer-count", "64", "--buffer-size", "1KiB",
                               "--max-pending-bytes", "8KiB"}));
  auto hogs = connect_hogs(server.port(), 16);
  blast_and_verify(server.port(), 16, 4096);
  hogs.clear();
  auto stopped = server.stop(SIGTERM);
  EXPECT_EQ(server.exit_code(), 0);
  EXPECT_GE(stopped.value("backpressure_stalls", 0), 16);
  EXPECT_GT(pressure_figures(server.stderr_text()).first, 0)
      << "nothing was copied out of the ring, the case was not exercised: " << server.stderr_text();
}

// A send stuck on a ring buffer holds it even once everything queued behind it was copied:
// with more stuck peers than buffers (24 > 16) the heads alone would hold the ring. 64 KiB
// buffers make each peer's flood take two (the stuck send and one queued behind it, which
// pauses the connection), so the first seven are stuck before the ring runs low and their
// stuck sends must be cancelled.
TEST_P(AioRingPressure, StuckSendsGiveTheirBuffersBack) {
  IOMB_AIO_START(server, args({"--buffer-count", "16", "--buffer-size", "64KiB",
                               "--max-pending-bytes", "8KiB"}));
  auto hogs = connect_hogs(server.port(), 24);
  blast_and_verify(server.port(), 8, 4096);
  hogs.clear();
  auto stopped = server.stop(SIGTERM);
  EXPECT_EQ(server.exit_code(), 0);
  EXPECT_GT(pressure_figures(server.stderr_text()).second, 0)
      << "no stuck send was cancelled, the case was not exercised: " << server.stderr_text();
}

// The overflow space runs out (shrunk to 64 buffers of 1 KiB; by default 1 GiB, which about
// 512 peers that never read fill at the default --max-pending-bytes): each of 20 such peers
// pauses with 8 KiB pending, the first eight fill the overflow space with their copies, and the
// rest would keep their ring buffers for good, leaving every other connection's recv ending
// with ENOBUFS until the idle timeout (60 s) closed them. Instead, a stuck peer whose queue no
// longer fits is closed, and a well-behaved client is served at once.
TEST_P(AioRingPressure, OverflowSpaceExhaustedDoesNotStarveOthers) {
  IOMB_AIO_START(server, args({"--buffer-count", "64", "--buffer-size", "1KiB",
                               "--max-pending-bytes", "8KiB", "--test-overflow-bytes", "64KiB"}));
  auto hogs = connect_hogs(server.port(), 20);
  blast_and_verify(server.port(), 4, 4096);
  hogs.clear();
  auto stopped = server.stop(SIGTERM);
  EXPECT_EQ(server.exit_code(), 0);
  const std::string text = server.stderr_text();
  EXPECT_GT(pressure_figures(text).first, 0)
      << "nothing was copied out of the ring, the case was not exercised: " << text;
  EXPECT_EQ(text.find("; 0 stuck connections were closed"), std::string::npos)
      << "the overflow space never ran out, the case was not exercised: " << text;
  EXPECT_GT(stopped.value("closed_by_server", 0), 0);
}

// 10,000 idle connections: all served; reports RSS per idle connection.
void ten_thousand_idle(const std::vector<std::string>& args) {
  constexpr int kConnections = 10000;
  const uint64_t limit = raise_open_file_limit();  // the server inherits it
  if (limit < kConnections + 200) {
    GTEST_SKIP() << "needs " << kConnections + 200 << " open files, the limit is " << limit;
  }
  IOMB_AIO_START(server, args);
  long rss_start = server.rss_kib();
  std::vector<UniqueFd> fds;
  fds.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) {
    fds.push_back(connect_loopback(server.port()));
    if (i % 1000 == 999) {
      ASSERT_TRUE(echo_roundtrip(fds.back().get(), "ping", 10s)) << i;
    }
  }
  for (int i = 0; i < kConnections; i += 97) {
    ASSERT_TRUE(echo_roundtrip(fds[i].get(), std::to_string(i), 10s)) << "connection " << i;
  }
  long rss = server.rss_kib();
  std::printf(
      "iomb-aio%s RSS: %ld KiB at start, %ld KiB with %d idle connections "
      "(%.0f bytes per connection)\n",
      args.empty() ? "" : (" " + args[0]).c_str(), rss_start, rss, kConnections,
      (rss - rss_start) * 1024.0 / kConnections);
  ::testing::Test::RecordProperty("rss_kib_10k", std::to_string(rss));
  auto stopped = server.stop(SIGTERM, 10s);
  EXPECT_EQ(server.exit_code(), 0);
  EXPECT_EQ(stopped.value("accepted", 0), kConnections);
  EXPECT_EQ(stopped.value("closed_by_server", 0), kConnections);
}

TEST(AioScale, TenThousandIdleConnections) { ten_thousand_idle({}); }
TEST(AioScale, TenThousandIdleConnectionsFixedFiles) { ten_thousand_idle({"--fixed-files"}); }

}  // namespace
}  // namespace iomb::testing
