// iomb-bio rows of the integration suites, and bio-only cases (pool head-of-line blocking,
// 10,000 connections).
#include <signal.h>
#include <sys/resource.h>

#include <thread>

#include "tests/integration/echo_suite.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

INSTANTIATE_TEST_SUITE_P(Bio, EchoServerTest,
                         ::testing::Values(ServerRow{"bio", "thread-per-conn", {}},
                                           // 600 workers: the shared cases hold up to 500
                                           // connections open at once.
                                           ServerRow{"bio", "pool", {"--threads", "600"}, true}),
                         row_name);

// Thread-per-conn only: in pool mode a connection beyond the busy workers waits in the queue
// until one is free, which this case counts as a connection left hanging.
INSTANTIATE_TEST_SUITE_P(Bio, EmfileServerTest,
                         ::testing::Values(ServerRow{"bio", "thread-per-conn", {}}), row_name);

// Pool mode: connection N+1 waits until a worker is free (head-of-line blocking).
TEST(BioPool, ConnectionBeyondPoolWaitsForAFreeWorker) {
  ServerProcess server(binary_path("iomb-bio"), {"--mode", "pool", "--threads", "2"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  auto a = connect_loopback(server.port());
  auto b = connect_loopback(server.port());
  ASSERT_TRUE(echo_roundtrip(a.get(), "a"));
  ASSERT_TRUE(echo_roundtrip(b.get(), "b"));
  auto c = connect_loopback(server.port());
  ASSERT_EQ(send_all(c.get(), "c"), 1u);
  EXPECT_EQ(recv_exact(c.get(), 1, 300ms), "") << "the third connection was served by 2 workers";
  a.reset();  // frees a worker
  EXPECT_EQ(recv_exact(c.get(), 1, 3s), "c");
  server.stop(SIGTERM);
  EXPECT_EQ(server.exit_code(), 0);
}

// 10,000 concurrent connections, one thread each; SIGTERM still stops within 2 s.
TEST(BioThreadPerConn, TenThousandConnections) {
  constexpr int kConnections = 10000;
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);  // the server inherits the raised limit
  if (lim.rlim_cur < kConnections + 200) {
    GTEST_SKIP() << "needs " << kConnections + 200 << " open files per process, the hard limit is "
                 << lim.rlim_cur;
  }
  ServerProcess server(binary_path("iomb-bio"), {"--mode", "thread-per-conn"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  std::vector<UniqueFd> fds;
  fds.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) {
    fds.push_back(connect_loopback(server.port()));
    if (i % 1000 == 999) {
      ASSERT_TRUE(echo_roundtrip(fds.back().get(), "ping", 10s)) << "connection " << i;
    }
  }
  // Every connection is served: check a spread of them.
  for (int i = 0; i < kConnections; i += 97) {
    ASSERT_TRUE(echo_roundtrip(fds[i].get(), std::to_string(i), 10s)) << "connection " << i;
  }
  // All threads exist (one per connection, plus the main and signal threads).
  for (int i = 0; i < 200 && server.thread_count() < kConnections; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_GE(server.thread_count(), kConnections);
  long rss = server.rss_kib();
  std::printf("iomb-bio RSS with %d idle connections: %ld KiB (%.1f KiB per connection)\n",
              kConnections, rss, static_cast<double>(rss) / kConnections);
  RecordProperty("rss_kib_10k", std::to_string(rss));
  auto t0 = std::chrono::steady_clock::now();
  auto stopped = server.stop(SIGTERM, 10s);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, 2s) << "SIGTERM took "
                      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                      << " ms";
  EXPECT_EQ(server.exit_code(), 0);
  EXPECT_EQ(stopped.value("accepted", 0), kConnections);
}

}  // namespace
}  // namespace iomb::testing
