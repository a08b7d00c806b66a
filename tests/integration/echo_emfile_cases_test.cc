// Out of file descriptors (DESIGN §5), run against every EmfileServerTest row: the server is
// started under a low RLIMIT_NOFILE (through prlimit(1): an io_uring accept reads the limit
// once, when it is prepared, so lowering it later would not do) and flooded with more
// connections than fit. Every connection is either served or closed at once (never left
// hanging), the server does not busy-loop, keeps serving every connection it holds, and
// serves new ones once others close.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/echo_suite.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

// utime + stime of the whole process, in clock ticks (/proc/<pid>/stat fields 14 and 15).
long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close_paren + 2));
  std::string field;
  long utime = 0, stime = 0;
  // After "pid (comm) ", field 3 (state) comes first: utime is the 12th token, stime the 13th.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

TEST_P(EmfileServerTest, FloodBeyondFdLimitIsShedWithoutBusyLoop) {
  constexpr int kFdLimit = 64;
  constexpr int kFlood = 200;  // far more than 64 descriptors can hold
  if (::access("/usr/bin/prlimit", X_OK) != 0) GTEST_SKIP() << "needs prlimit(1) (util-linux)";
  const ServerRow& row = GetParam();
  std::vector<std::string> args{"--nofile=" + std::to_string(kFdLimit),
                                binary_path("iomb-" + row.model), "--mode", row.mode};
  args.insert(args.end(), row.args.begin(), row.args.end());
  ServerProcess server("/usr/bin/prlimit", args);
  if (server.unavailable()) {
    GTEST_SKIP() << "iomb-" << row.model << " is unavailable here: " << server.stderr_text();
  }
  ASSERT_TRUE(server.started()) << server.stderr_text();

  std::vector<UniqueFd> fds;
  // Serve one request before the flood. Besides being realistic, this matters under UBSan: its
  // first check of a virtual call (vptr) tests memory readability through a pipe(2), which
  // fails at the fd limit and is then reported as an invalid vptr; later checks hit its cache.
  fds.push_back(connect_loopback(server.port()));
  ASSERT_TRUE(echo_roundtrip(fds.back().get(), "warm-up"));
  // And one connection reset by its client, so the server handles an error from the kernel
  // (ECONNRESET) while descriptors are free. Under UBSan, asio's first error_code from errno is
  // such a first vptr check (on Boost.System's category); without this it would be the accept
  // error at the limit.
  {
    auto reset = connect_loopback(server.port());
    ASSERT_TRUE(echo_roundtrip(reset.get(), "reset"));
    linger hard{1, 0};
    ::setsockopt(reset.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  }
  std::this_thread::sleep_for(100ms);  // let the server see the reset
  while (fds.size() < kFlood) fds.push_back(connect_loopback(server.port()));
  // Each connection is either echoed or closed by the server; none waits in the backlog.
  std::vector<size_t> served;
  int shed = 0;
  for (int i = 0; i < kFlood; ++i) {
    std::string msg = "m" + std::to_string(i);
    if (send_all(fds[i].get(), msg, 2s) == msg.size() &&
        recv_exact(fds[i].get(), msg.size(), 5s) == msg) {
      served.push_back(static_cast<size_t>(i));
    } else {
      EXPECT_TRUE(wait_peer_closed(fds[i].get(), 1s)) << "connection " << i << " hangs";
      ++shed;
    }
  }
  EXPECT_GT(shed, 0) << "the fd limit was never reached";
  // Most of the limit serves connections: the server sheds only what does not fit.
  EXPECT_GT(served.size(), 20u);
  EXPECT_LT(served.size(), static_cast<size_t>(kFdLimit));

  // At the limit and idle: no busy loop. A spinning thread would burn ~100 ticks a second.
  std::this_thread::sleep_for(200ms);
  long before = cpu_ticks(server.pid());
  std::this_thread::sleep_for(1s);
  long used = cpu_ticks(server.pid()) - before;
  EXPECT_GE(before, 0);
  EXPECT_LT(used, 20) << "server used " << used << " clock ticks in 1 s idle at the fd limit";

  // Still serving every connection it holds, the warm-up one included.
  EXPECT_TRUE(echo_roundtrip(fds.front().get(), "still here"));
  for (size_t i : served) EXPECT_TRUE(echo_roundtrip(fds[i].get(), "still here", 3s)) << i;
  // Freed descriptors serve new connections.
  for (size_t k = 0; k < 10 && k < served.size(); ++k) fds[served[served.size() - 1 - k]].reset();
  bool new_served = false;
  for (int attempt = 0; attempt < 50 && !new_served; ++attempt) {
    auto fresh = connect_loopback(server.port());
    new_served = echo_roundtrip(fresh.get(), "fresh", 2s);
    if (!new_served) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(new_served);
  // And once every flood connection is gone.
  fds.clear();
  bool resumed = false;
  for (int attempt = 0; attempt < 50 && !resumed; ++attempt) {
    auto fresh = connect_loopback(server.port());
    resumed = echo_roundtrip(fresh.get(), "after", 3s);
    if (!resumed) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(resumed);

  auto stopped = server.stop(SIGTERM);
  EXPECT_EQ(server.exit_code(), 0) << server.stderr_text();
  EXPECT_GE(stopped.value("rejected", 0), shed);
}

}  // namespace
}  // namespace iomb::testing
