// iomb-bio rows of the integration suites, and bio-only cases (pool head-of-line blocking,
// 10,000 connections, stacks released when connections end, thread creation failing).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
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

// Thread stacks of bio's size (64 KiB, read-write) mapped in `pid` (/proc/PID/maps).
int mapped_stacks(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  int n = 0;
  for (std::string line; std::getline(maps, line);) {
    unsigned long from = 0, to = 0;
    char perms[8] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %7s", &from, &to, perms) == 3 &&
        to - from == 64 * 1024 && std::string_view(perms) == "rw-p") {
      ++n;
    }
  }
  return n;
}

// A connection's thread stack is released when its connection ends, not when the next one
// arrives: 1,500 connections come and go, and with no further accept the stacks still mapped
// fall to what glibc's stack cache keeps (40 MiB: about 600 of these). (Mappings are counted,
// not VmSize: the threads' malloc arenas reserve 64 MiB each and stay.)
TEST(BioThreadPerConn, StacksAreReleasedWhenConnectionsEndWithoutAnotherAccept) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan gives each thread its own shadow and fake stacks: sizes differ";
#endif
  constexpr int kConnections = 1500;
  ServerProcess server(binary_path("iomb-bio"), {"--mode", "thread-per-conn"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  {
    std::vector<UniqueFd> fds;
    for (int i = 0; i < kConnections; ++i) fds.push_back(connect_loopback(server.port()));
    for (auto& fd : fds) ASSERT_TRUE(echo_roundtrip(fd.get(), "x", 10s));
    ASSERT_GE(mapped_stacks(server.pid()), kConnections) << "one stack per connection thread";
  }
  int now = 0;
  for (int i = 0; i < 100; ++i) {
    now = mapped_stacks(server.pid());
    if (now <= 700) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_LE(now, 700) << "stacks still mapped after every connection ended";
  auto stopped = server.stop(SIGTERM);
  EXPECT_EQ(server.exit_code(), 0);
  EXPECT_EQ(stopped.value("accepted", 0), kConnections);
}

// Thread creation failing (the address space capped while the server runs, so no new stack
// can be mapped): each connection no thread could serve is closed at once and counted
// rejected, never also accepted; the connections that have a thread are served; once threads
// can be created again, new connections are served.
TEST(BioThreadPerConn, FailedThreadCreationRejectsAndIsNotCountedAccepted) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ASan and TSan reserve terabytes of address space: no cap fits";
#endif
  ServerProcess server(binary_path("iomb-bio"), {"--mode", "thread-per-conn"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  auto first = connect_loopback(server.port());
  ASSERT_TRUE(echo_roundtrip(first.get(), "before the cap"));
  // Room for a few dozen 68 KiB stacks above what is mapped now.
  const long vm_kib = proc_status_value(server.pid(), "VmSize");
  // The soft limit only: raising it back needs no privilege (the hard one would).
  auto prlimit_as = [&](rlim_t soft) {
    rlimit lim{};
    if (::prlimit(server.pid(), RLIMIT_AS, nullptr, &lim) != 0) return errno;
    lim.rlim_cur = std::min(soft, lim.rlim_max);
    return ::prlimit(server.pid(), RLIMIT_AS, &lim, nullptr) == 0 ? 0 : errno;
  };
  ASSERT_EQ(prlimit_as(static_cast<rlim_t>(vm_kib + 3 * 1024) * 1024), 0);
  constexpr int kFlood = 200;
  std::vector<UniqueFd> fds;
  for (int i = 0; i < kFlood; ++i) fds.push_back(connect_loopback(server.port()));
  int served = 0, rejected = 0;
  for (auto& fd : fds) {
    if (echo_roundtrip(fd.get(), "y", 3s)) {
      ++served;
    } else {
      EXPECT_TRUE(wait_peer_closed(fd.get(), 1s)) << "a connection without a thread hangs";
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0) << "the cap never stopped a thread from starting";
  EXPECT_GT(served, 0);
  EXPECT_TRUE(echo_roundtrip(first.get(), "during the cap"));
  ASSERT_EQ(prlimit_as(RLIM_INFINITY), 0);
  fds.clear();
  bool resumed = false;
  for (int attempt = 0; attempt < 50 && !resumed; ++attempt) {
    auto fresh = connect_loopback(server.port());
    resumed = echo_roundtrip(fresh.get(), "after the cap", 2s);
    if (!resumed) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(resumed);
  auto stopped = server.stop(SIGTERM);
  EXPECT_EQ(server.exit_code(), 0) << server.stderr_text();
  EXPECT_NE(server.stderr_text().find("pthread_create failed"), std::string::npos);
  const int accepted = stopped.value("accepted", 0);
  EXPECT_EQ(stopped.value("rejected", 0), rejected);
  // The first connection, the served ones and the ones after the cap (at least one).
  EXPECT_GE(accepted, 1 + served + 1);
  EXPECT_LE(accepted, 1 + served + 50);
}

}  // namespace
}  // namespace iomb::testing
