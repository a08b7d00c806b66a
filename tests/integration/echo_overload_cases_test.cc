// Overload, run against every echo server row: an open loop offered far more than any server
// here sustains, ten times --max-conns clients, and a connect storm from several threads. The
// server keeps serving the connections it accepted, sheds the rest at once with counted
// rejections, exits cleanly, and its RSS stays bounded (not checked under ASan or TSan, whose
// shadow memory and quarantine grow with any traffic).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/echo_suite.h"
#include "tests/integration/iomb_command.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kCheckRss = false;
#else
constexpr bool kCheckRss = true;
#endif
// What overload may add to a server's RSS: connections' buffers, bounded by
// --max-pending-bytes, and the allocator's caches; a queue growing with the offered load would
// pass it within the first second.
constexpr long kRssGrowthKib = 64 * 1024;

// Counts the connections in `fds` that are served (one echo) and the ones the server closed
// at once; each is one or the other, none hangs.
void count_served_and_shed(std::vector<UniqueFd>& fds, int* served, int* shed) {
  for (size_t i = 0; i < fds.size(); ++i) {
    if (echo_roundtrip(fds[i].get(), "s" + std::to_string(i), 3s)) {
      ++*served;
    } else {
      EXPECT_TRUE(wait_peer_closed(fds[i].get(), 1s)) << "connection " << i << " hangs";
      ++*shed;
    }
  }
}

// Open loop at 20,000,000 requests/s for 1.5 s on 64 connections, up to 64 in flight on each
// (pipelined 64 B echoes reach about 2,000,000/s on these two cores): the client sends on
// schedule whether or not replies come back, and the server is overloaded for the whole run.
TEST_P(EchoServerTest, OpenLoopFarAboveCapacityKeepsServing) {
  IOMB_START(server);
  auto keeper = connect_loopback(server->port());
  ASSERT_TRUE(echo_roundtrip(keeper.get(), "before"));
  const long base_kib = server->rss_kib();
  const std::string json = temp_path("overload_open") + ".json";
  pid_t load = spawn_command(binary_path("iomb"),
                             {"load", "--target", "127.0.0.1:" + std::to_string(server->port()),
                              "--rate", "20000000", "-c", "64", "-d", "64", "--duration", "1500ms",
                              "--warmup", "0", "--drain-timeout", "2s", "--max-error-rate", "1",
                              "--quiet", "--json", json},
                             temp_path("overload_open_out"), temp_path("overload_open_err"));
  ASSERT_GT(load, 0);
  long peak_kib = base_kib;
  int keeper_served = 0, keeper_tries = 0;
  const auto until = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < until) {
    peak_kib = std::max(peak_kib, server->rss_kib());
    ++keeper_tries;
    if (echo_roundtrip(keeper.get(), "during", 3s)) ++keeper_served;
    std::this_thread::sleep_for(50ms);
  }
  const int load_exit = wait_command(load, 30s);
  EXPECT_NE(load_exit, -SIGKILL) << "the load generator did not finish";
  auto result = first_iteration(read_json(json));
  ::unlink(json.c_str());
  EXPECT_GT(result.value("iterations", 0LL), 0) << "no request completed under overload";
  // Overloaded indeed: the server achieved well below the offered rate.
  EXPECT_LT(result.value("achieved_rate", 0.0), 0.95 * result.value("offered_rate", 0.0))
      << result.dump();
  // The connection held throughout is served throughout.
  EXPECT_EQ(keeper_served, keeper_tries);
  EXPECT_TRUE(echo_roundtrip(keeper.get(), "after", 3s));
  auto fresh = connect_loopback(server->port());
  EXPECT_TRUE(echo_roundtrip(fresh.get(), "fresh", 3s));
  if (kCheckRss) {
    EXPECT_LT(peak_kib - base_kib, kRssGrowthKib)
        << "RSS grew from " << base_kib << " KiB to " << peak_kib << " KiB";
  }
  server->stop(SIGTERM, 10s);
  EXPECT_EQ(server->exit_code(), 0) << server->stderr_text();
}

// Ten times --max-conns clients: exactly --max-conns are served, every other one is closed at
// once and counted rejected, and the served ones stay served.
TEST_P(EchoServerTest, TenTimesMaxConnsShedsTheRestCounted) {
  constexpr int kMax = 16;
  IOMB_START(server, {"--max-conns", std::to_string(kMax)});
  std::vector<UniqueFd> fds;
  for (int i = 0; i < 10 * kMax; ++i) fds.push_back(connect_loopback(server->port()));
  int served = 0, shed = 0;
  count_served_and_shed(fds, &served, &shed);
  EXPECT_EQ(served, kMax);
  EXPECT_EQ(shed, 9 * kMax);
  for (auto& fd : fds) {
    if (!wait_peer_closed(fd.get(), 0ms)) {
      EXPECT_TRUE(echo_roundtrip(fd.get(), "again", 3s));
    }
  }
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(server->exit_code(), 0);
  EXPECT_EQ(stopped.value("accepted", 0), kMax);
  EXPECT_EQ(stopped.value("rejected", 0), 9 * kMax);
}

// A connect storm: four threads open 1,000 connections as fast as they can against
// --max-conns 32 while eight held connections keep echoing. The held ones are served
// throughout, 24 of the storm are served, the other 976 closed at once and counted.
TEST_P(EchoServerTest, ConnectStormShedsBeyondTheLimitAndKeepsServing) {
  constexpr int kMax = 32, kHeld = 8, kThreads = 4, kPerThread = 250;
  raise_open_file_limit();
  IOMB_START(server, {"--max-conns", std::to_string(kMax)});
  std::vector<UniqueFd> held;
  for (int i = 0; i < kHeld; ++i) {
    held.push_back(connect_loopback(server->port()));
    ASSERT_TRUE(echo_roundtrip(held.back().get(), "held"));
  }
  const long base_kib = server->rss_kib();
  std::vector<std::vector<UniqueFd>> storm(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) storm[t].push_back(connect_loopback(server->port()));
    });
  }
  int held_served = 0;
  for (int round = 0; round < 5; ++round) {
    for (auto& fd : held) {
      if (echo_roundtrip(fd.get(), "storm", 3s)) ++held_served;
    }
  }
  for (auto& t : threads) t.join();
  const long peak_kib = std::max(base_kib, server->rss_kib());
  EXPECT_EQ(held_served, 5 * kHeld);
  std::vector<UniqueFd> all;
  for (auto& s : storm) {
    for (auto& fd : s) all.push_back(std::move(fd));
  }
  int served = 0, shed = 0;
  count_served_and_shed(all, &served, &shed);
  EXPECT_EQ(served, kMax - kHeld);
  EXPECT_EQ(shed, kThreads * kPerThread - (kMax - kHeld));
  for (auto& fd : held) EXPECT_TRUE(echo_roundtrip(fd.get(), "after", 3s));
  if (kCheckRss) {
    EXPECT_LT(peak_kib - base_kib, kRssGrowthKib)
        << "RSS grew from " << base_kib << " KiB to " << peak_kib << " KiB";
  }
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(server->exit_code(), 0);
  EXPECT_EQ(stopped.value("accepted", 0), kMax);
  EXPECT_EQ(stopped.value("rejected", 0), shed);
}

}  // namespace
}  // namespace iomb::testing
