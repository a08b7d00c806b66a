// Bursts against every server row: a burst of connections that arrives while the server runs
// no code at all (every thread stopped with SIGSTOP: the busiest a loop can be) must all be
// accepted and served once it runs again, with no further arrival to wake the listener; and
// SIGTERM with more connections open than a ring's submission queue holds (3,000 > 2,048
// entries) must still stop the server cleanly and promptly.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/echo_suite.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// More than one wake-up's worth of accepts (aio's prefork path took at most 64 per poll
// completion), far below the listen backlog (4096).
constexpr int kBurst = 200;

// Connects kBurst clients while `stop_all` holds the server, then `resume_all`; every client
// must then be echoed within a bound, without any other connection arriving meanwhile.
void burst_while_stopped(ServerProcess& server, const std::vector<pid_t>& pids) {
  auto warm = connect_loopback(server.port());
  ASSERT_TRUE(echo_roundtrip(warm.get(), "warm"));
  for (pid_t pid : pids) {
    ASSERT_EQ(::kill(pid, SIGSTOP), 0);
    ASSERT_TRUE(wait_all_threads_stopped(pid, 2s)) << pid;
  }
  std::vector<UniqueFd> fds;
  for (int i = 0; i < kBurst; ++i) {
    fds.push_back(connect_loopback(server.port()));
    ASSERT_TRUE(fds.back()) << i;  // completed by the kernel: the backlog holds it
  }
  for (pid_t pid : pids) ::kill(pid, SIGCONT);
  const auto start = Clock::now();
  int served = 0;
  for (int i = 0; i < kBurst; ++i) {
    const std::string msg = "b" + std::to_string(i);
    // The whole burst shares one deadline: a connection left in the backlog would wait for
    // ever (until the next arrival), a served one takes microseconds.
    const auto left =
        std::max(std::chrono::duration_cast<milliseconds>(start + 5s - Clock::now()), 100ms);
    if (echo_roundtrip(fds[i].get(), msg, left)) {
      ++served;
    } else {
      ADD_FAILURE() << "connection " << i << " of the burst was not served";
    }
  }
  EXPECT_EQ(served, kBurst);
}

TEST_P(EchoServerTest, BurstArrivingWhileStoppedIsAllServed) {
  IOMB_START(server);
  burst_while_stopped(*server, {server->pid()});
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(server->exit_code(), 0);
  EXPECT_EQ(stopped.value("accepted", 0), kBurst + 1);
}

// The prefork workers share one listener (aio accepts there with accept4 after a multishot
// poll, not with an io_uring accept).
TEST_P(EchoServerTest, PreforkBurstArrivingWhileWorkersStoppedIsAllServed) {
  IOMB_START(server, {"--processes", "2"});
  auto workers = server->ready().value("workers", std::vector<pid_t>{});
  ASSERT_EQ(workers.size(), 2u);
  burst_while_stopped(*server, workers);
  auto stopped = server->stop(SIGTERM, 10s);
  EXPECT_EQ(server->exit_code(), 0);
  EXPECT_EQ(stopped.value("accepted", 0), kBurst + 1);
}

// 3,000 open connections: more close operations at once than a ring's 2,048-entry submission
// queue holds (aio's Ring::sqe() submits to make room, and aborted after 1,000 failed tries).
TEST_P(EchoServerTest, SigtermWithThreeThousandConnectionsExitsCleanly) {
  constexpr int kConnections = 3000;
  const uint64_t limit = raise_open_file_limit();  // the server inherits it
  if (limit < kConnections + 200) {
    GTEST_SKIP() << "needs " << kConnections + 200 << " open files, the limit is " << limit;
  }
  IOMB_START(server);
  std::vector<UniqueFd> fds;
  fds.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) fds.push_back(connect_loopback(server->port()));
  // Every one served (so accepted) before the stop; a pool row serves its first workers' worth.
  for (int i = 0; i < (GetParam().pool_like ? 2 : kConnections); ++i) {
    ASSERT_TRUE(echo_roundtrip(fds[i].get(), "open", 10s)) << i;
  }
  const auto t0 = Clock::now();
  auto stopped = server->stop(SIGTERM, 10s);
  const auto took = Clock::now() - t0;
  EXPECT_EQ(server->exit_code(), 0) << server->stderr_text();
  EXPECT_EQ(stopped.value("event", ""), "stopped");
  EXPECT_LT(took, 4s) << std::chrono::duration_cast<milliseconds>(took).count() << " ms";
  if (!GetParam().pool_like) {
    EXPECT_EQ(stopped.value("accepted", 0), kConnections);
  }
  for (int i = 0; i < kConnections; i += 100) {
    EXPECT_TRUE(wait_peer_closed(fds[i].get(), 2s)) << i;
  }
}

}  // namespace
}  // namespace iomb::testing
