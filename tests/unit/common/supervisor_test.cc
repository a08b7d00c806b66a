// The prefork supervisor, driven with an in-process fake server: ready line once all workers
// serve, restart of a killed worker, counters summed, giving up on workers that cannot start.
#include "common/supervisor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/lifecycle.h"
#include "common/server_main.h"
#include "common/socket_ops.h"

namespace iomb {
namespace {

using namespace std::chrono_literals;

class FakeServer : public Server {
 public:
  void run() override {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return stop_; });
  }
  void request_stop() override {
    std::lock_guard lock(mutex_);
    stop_ = true;
    cv_.notify_all();
  }
  CounterSnapshot counters() const override {
    Counters c;
    c.add(Counter::kAccepted, 5);
    return c.snapshot();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
};

enum class FactoryKind { kWorks, kThrows, kUnavailable };

struct Child {
  pid_t pid = -1;
  UniqueFd out;
  std::string buf;

  // Next JSON line from the supervisor's stdout, or null after `timeout`.
  nlohmann::json next_line(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto nl = buf.find('\n');
      if (nl != std::string::npos) {
        auto line = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        return nlohmann::json::parse(line, nullptr, false);
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return nullptr;
      pollfd p{out.get(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char tmp[4096];
      ssize_t n = ::read(out.get(), tmp, sizeof tmp);
      if (n <= 0) return nullptr;
      buf.append(tmp, static_cast<size_t>(n));
    }
  }

  int wait_exit() {
    int status = 0;
    for (int i = 0; i < 1000; ++i) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      }
      std::this_thread::sleep_for(10ms);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1000;
  }
};

Child start_supervisor(int processes, FactoryKind kind) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    int devnull = ::open("/dev/null", O_WRONLY);
    if (!getenv("IOMB_DEBUG")) ::dup2(devnull, STDERR_FILENO);
    block_stop_signals();
    static ServerOptions options;
    options.processes = processes;
    options.mode = "fake";
    static ModelSpec spec;
    spec.name = "fake";
    spec.modes = {"fake"};
    static ServerFactory factory = [kind](const ServerOptions&,
                                          UniqueFd) -> std::unique_ptr<Server> {
      if (kind == FactoryKind::kThrows) throw std::runtime_error("cannot start");
      if (kind == FactoryKind::kUnavailable) throw UnavailableError("not here");
      return std::make_unique<FakeServer>();
    };
    ListenConfig config;
    config.reuse_port = true;
    ::_exit(supervise_workers(options, spec, factory, listen_tcp(config)));
  }
  ::close(fds[1]);
  Child child;
  child.pid = pid;
  child.out.reset(fds[0]);
  return child;
}

std::vector<pid_t> children_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> pids;
  pid_t p;
  while (in >> p) pids.push_back(p);
  return pids;
}

TEST(Supervisor, ReadyOnceAllWorkersServeThenStopsSummingCounters) {
  Child sup = start_supervisor(3, FactoryKind::kWorks);
  auto ready = sup.next_line(10s);
  ASSERT_TRUE(ready.is_object());
  EXPECT_EQ(ready["event"], "listening");
  EXPECT_EQ(ready["processes"], 3);
  EXPECT_EQ(ready["workers"].size(), 3u);
  EXPECT_EQ(ready["pid"], sup.pid);
  ::kill(sup.pid, SIGTERM);
  auto stopped = sup.next_line(10s);
  ASSERT_TRUE(stopped.is_object());
  EXPECT_EQ(stopped["event"], "stopped");
  EXPECT_EQ(stopped["accepted"], 15);  // 3 workers x 5
  EXPECT_EQ(stopped["restarts"], 0);
  EXPECT_EQ(sup.wait_exit(), 0);
}

TEST(Supervisor, RestartsAWorkerKilledBySigkill) {
  Child sup = start_supervisor(2, FactoryKind::kWorks);
  auto ready = sup.next_line(10s);
  ASSERT_TRUE(ready.is_object());
  pid_t victim = ready["workers"][0];
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  bool replaced = false;
  for (int i = 0; i < 500 && !replaced; ++i) {
    auto kids = children_of(sup.pid);
    replaced = kids.size() == 2 && std::find(kids.begin(), kids.end(), victim) == kids.end();
    if (!replaced) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(replaced) << "no replacement worker appeared";
  ::kill(sup.pid, SIGTERM);
  auto stopped = sup.next_line(10s);
  ASSERT_TRUE(stopped.is_object());
  EXPECT_EQ(stopped["restarts"], 1);
  EXPECT_EQ(stopped["accepted"], 10);  // the killed worker's counters are lost; two report
  EXPECT_EQ(sup.wait_exit(), 0);
}

TEST(Supervisor, SigtermReachesEveryWorkerAndNoneIsLeftBehind) {
  Child sup = start_supervisor(2, FactoryKind::kWorks);
  auto ready = sup.next_line(10s);
  ASSERT_TRUE(ready.is_object());
  std::vector<pid_t> workers = ready["workers"];
  ::kill(sup.pid, SIGINT);
  EXPECT_EQ(sup.wait_exit(), 0);
  for (pid_t w : workers) EXPECT_NE(::kill(w, 0), 0) << "worker " << w << " still running";
}

TEST(Supervisor, GivesUpWhenWorkersCannotStart) {
  Child sup = start_supervisor(2, FactoryKind::kThrows);
  EXPECT_TRUE(sup.next_line(15s).is_null()) << "no ready line for workers that never started";
  EXPECT_EQ(sup.wait_exit(), 1);
}

TEST(Supervisor, PropagatesUnavailableAsExit77) {
  Child sup = start_supervisor(2, FactoryKind::kUnavailable);
  EXPECT_TRUE(sup.next_line(15s).is_null());
  EXPECT_EQ(sup.wait_exit(), kExitUnavailable);
}

}  // namespace
}  // namespace iomb
