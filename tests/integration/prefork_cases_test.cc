// The --processes cases (DESIGN §3.3, common/supervisor.h), run against every server row: the
// workers share the load, a killed worker is restarted, a worker that cannot be forked
// (pipe2/fork failing) is retried until it can, and workers that die at every start are given
// up, after which the supervisor closes its listener and exits 1 (clients are refused, never
// left hanging in the backlog).
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/echo_suite.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

// True once `pid` has exited (gone, or a zombie waiting for its parent to reap it).
bool wait_process_dead(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(stat, text)) return true;
    auto close_paren = text.rfind(')');
    if (close_paren != std::string::npos && close_paren + 2 < text.size() &&
        text[close_paren + 2] == 'Z') {
      return true;
    }
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

// The supervisor's live children (/proc/PID/task/PID/children), or nullopt where the kernel
// does not offer the file.
std::optional<std::vector<pid_t>> children_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  if (!in) return std::nullopt;
  std::vector<pid_t> pids;
  for (pid_t p; in >> p;) pids.push_back(p);
  return pids;
}

// The descriptor numbers `pid` has open.
std::set<int> open_fds(pid_t pid) {
  std::set<int> fds;
  DIR* dir = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (dir == nullptr) return fds;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') fds.insert(std::atoi(e->d_name));
  }
  ::closedir(dir);
  return fds;
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// connect() to the port is refused (nothing listens any more).
bool connection_refused(uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
         errno == ECONNREFUSED;
}

// --processes 2: kill one worker with SIGKILL; the service continues and it is restarted.
TEST_P(EchoServerTest, PreforkWorkerKilledIsRestarted) {
  IOMB_START(server, {"--processes", "2"});
  auto workers = server->ready().value("workers", std::vector<int>{});
  ASSERT_EQ(workers.size(), 2u);
  ASSERT_EQ(::kill(workers[0], SIGKILL), 0);
  // kill() returns before the worker is dead; a connection the dying worker still accepts is
  // lost with it (kernel behaviour, not the supervisor's). Service must continue once it is gone.
  ASSERT_TRUE(wait_process_dead(workers[0], 5s));
  // Service continues: every new connection is answered (by the surviving or new worker).
  for (int i = 0; i < 20; ++i) {
    auto fd = connect_loopback(server->port());
    EXPECT_TRUE(echo_roundtrip(fd.get(), "still here " + std::to_string(i), 3s)) << i;
  }
  // The supervisor forks a replacement.
  bool restarted = false;
  for (int i = 0; i < 100 && !restarted; ++i) {
    auto children = children_of(server->pid());
    restarted = server->stderr_text().find("restarting") != std::string::npos &&
                (!children || children->size() == 2);
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(restarted) << server->stderr_text();
  auto stopped = server->stop(SIGTERM, 10s);
  EXPECT_EQ(server->exit_code(), 0);
  EXPECT_EQ(stopped.value("restarts", 0), 1);
  EXPECT_EQ(stopped.value("processes", 0), 2);
  EXPECT_EQ(stopped.value("crash_loops", -1), 0);
}

TEST_P(EchoServerTest, PreforkServesFromEveryWorker) {
  IOMB_START(server, {"--processes", "2"});
  for (int i = 0; i < 40; ++i) {
    auto fd = connect_loopback(server->port());
    ASSERT_TRUE(echo_roundtrip(fd.get(), random_bytes(1000, i)));
  }
  auto stopped = server->stop(SIGTERM, 10s);
  EXPECT_EQ(server->exit_code(), 0);
  EXPECT_EQ(stopped.value("accepted", 0), 40);
  EXPECT_EQ(stopped.value("bytes_out", 0), 40000);
}

// The supervisor runs out of descriptors (its soft RLIMIT_NOFILE lowered from outside), so the
// replacement of a killed worker cannot be forked (pipe2 fails with EMFILE): it is retried
// with a growing delay, the survivor serves meanwhile, and once descriptors are back the slot
// is filled again. (The old supervisor tried once and never again.)
TEST_P(EchoServerTest, PreforkWorkerThatCannotBeForkedIsRetried) {
  IOMB_START(server, {"--processes", "2"});
  const pid_t sup = server->pid();
  if (!children_of(sup)) GTEST_SKIP() << "no /proc/PID/task/PID/children on this kernel";
  auto workers = server->ready().value("workers", std::vector<int>{});
  ASSERT_EQ(workers.size(), 2u);
  // A soft limit at the first free descriptor number: nothing below it is free now, and the
  // killed worker's pipe frees one number at most, where pipe2 needs two.
  const std::set<int> fds = open_fds(sup);
  int first_free = 0;
  while (fds.count(first_free)) ++first_free;
  rlimit old{}, low{};
  ASSERT_EQ(::prlimit(sup, RLIMIT_NOFILE, nullptr, &old), 0);
  low = old;
  low.rlim_cur = static_cast<rlim_t>(first_free);
  ASSERT_EQ(::prlimit(sup, RLIMIT_NOFILE, &low, nullptr), 0) << std::strerror(errno);
  ASSERT_EQ(::kill(workers[0], SIGKILL), 0);
  ASSERT_TRUE(wait_process_dead(workers[0], 5s));
  // Two failed forks in a row (about 300 ms), well before the crash-loop limit (about 3 s).
  bool retried = false;
  for (int i = 0; i < 100 && !retried; ++i) {
    retried = count_of(server->stderr_text(), "could not be forked") >= 2;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(retried) << server->stderr_text();
  EXPECT_NE(server->stderr_text().find("pipe2: Too many open files"), std::string::npos);
  {
    auto fd = connect_loopback(server->port());
    EXPECT_TRUE(echo_roundtrip(fd.get(), "the survivor serves", 3s));
  }
  ASSERT_EQ(::prlimit(sup, RLIMIT_NOFILE, &old, nullptr), 0);
  bool refilled = false;
  for (int i = 0; i < 200 && !refilled; ++i) {  // the next retry is at most 2 s away
    auto children = children_of(sup);
    refilled = children && children->size() == 2;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(refilled) << server->stderr_text();
  for (int i = 0; i < 10; ++i) {
    auto fd = connect_loopback(server->port());
    EXPECT_TRUE(echo_roundtrip(fd.get(), "both serve " + std::to_string(i), 3s)) << i;
  }
  auto stopped = server->stop(SIGTERM, 10s);
  EXPECT_EQ(server->exit_code(), 0) << server->stderr_text();
  EXPECT_EQ(stopped.value("restarts", 0), 1);
  EXPECT_GE(stopped.value("spawn_failures", 0), 2);
  EXPECT_EQ(stopped.value("crash_loops", -1), 0);
}

// Every worker dies as soon as it appears (killed here, as a worker crashing at startup
// would): each slot is retried with a growing delay and given up after the crash-loop limit,
// and with no worker left the supervisor closes its listener (connections are refused, not
// left in the backlog) and exits 1. (The old supervisor re-forked every 100 ms for ever.)
TEST_P(EchoServerTest, PreforkCrashLoopGivesUpAndClosesTheListener) {
#if defined(__SANITIZE_ADDRESS__)
  // LeakSanitizer's exit-time tracer is a child process of the exiting supervisor: the loop
  // below, which kills every child it sees, would kill it and hang the exit. Release only.
  GTEST_SKIP() << "kills every child, LeakSanitizer's tracer included";
#endif
  IOMB_START(server, {"--processes", "2"});
  const pid_t sup = server->pid();
  if (!children_of(sup)) GTEST_SKIP() << "no /proc/PID/task/PID/children on this kernel";
  const uint16_t port = server->port();
  std::set<pid_t> killed;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (server->running() && std::chrono::steady_clock::now() < deadline) {
    if (auto children = children_of(sup)) {
      for (pid_t p : *children) {
        if (::kill(p, SIGKILL) == 0) killed.insert(p);
      }
    }
    if (server->wait_exit(5ms)) break;
  }
  ASSERT_FALSE(server->running()) << "the supervisor kept re-forking for 20 s; killed "
                                  << killed.size() << "\n"
                                  << server->stderr_text();
  EXPECT_EQ(server->exit_code(), 1);
  const std::string err = server->stderr_text();
  EXPECT_EQ(count_of(err, "a crash loop"), 2u) << err;
  EXPECT_NE(err.find("closing the listener"), std::string::npos) << err;
  // Two slots, each: the first death, then five failed restarts; a few more kills may hit a
  // worker the supervisor had forked already.
  EXPECT_GE(killed.size(), 12u);
  EXPECT_LE(killed.size(), 16u);
  EXPECT_TRUE(connection_refused(port));
  auto lines = server->read_stdout_lines(1s);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().value("event", ""), "stopped");
  EXPECT_EQ(lines.back().value("crash_loops", 0), 2);
}

}  // namespace
}  // namespace iomb::testing
