// Implementation of supervisor.h.
#include "common/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/lifecycle.h"
#include "common/server_main.h"
#include "common/socket_ops.h"

namespace iomb {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A worker that dies (or cannot be forked) this soon after its start failed to start; its
// slot is retried after a delay that doubles with each failure in a row, and given up after
// kCrashLoopLimit of them: a worker that dies at every start is not re-forked for ever.
constexpr auto kStableAfter = std::chrono::seconds(5);
constexpr milliseconds kFirstRetryDelay{100};
constexpr milliseconds kMaxRetryDelay{2000};
constexpr int kCrashLoopLimit = 6;

struct Worker {
  pid_t pid = -1;
  UniqueFd out;         // read end of the worker's lifecycle-line pipe
  std::string pending;  // partial line
  bool ready = false;
  bool needs_restart = false;
  bool given_up = false;    // crash loop: this slot is not restarted any more
  int failures_in_row = 0;  // failed starts since the last stable run
  Clock::time_point started;
  Clock::time_point restart_at;  // with needs_restart: when to fork again
};

class Supervisor {
 public:
  Supervisor(const ServerOptions& options, const ModelSpec& spec, const ServerFactory& factory,
             UniqueFd listener)
      : options_(options),
        spec_(spec),
        factory_(factory),
        listener_(std::move(listener)),
        workers_(static_cast<size_t>(options.processes)) {}

  int run() {
    port_ = local_port(listener_.get());
    sigset_t set = stop_signal_set();
    sigaddset(&set, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal_fd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!signal_fd_) {
      std::perror("iomb supervisor: signalfd");
      return 1;
    }
    for (size_t i = 0; i < workers_.size(); ++i) {
      if (!spawn(workers_[i])) schedule_restart(i, "could not be started");
    }
    while (live_workers() > 0 || !stopping_) {
      if (!stopping_ && !announced_ready_ && all_ready()) announce_ready();
      if (stopping_ && !killed_ && Clock::now() > stop_deadline_) {
        // Graceful stop took too long: do not leave processes behind.
        for (auto& w : workers_) {
          if (w.pid > 0) ::kill(w.pid, SIGKILL);
        }
        killed_ = true;
        exit_code_ = 1;
      }
      if (!stopping_ && cannot_serve()) {
        // Without a worker the listener would complete handshakes that nobody ever serves:
        // close it, so that clients are refused, and stop.
        std::fprintf(
            stderr, "iomb-%s: %s; closing the listener and exiting\n", spec_.name.c_str(),
            announced_ready_ ? "no worker can be kept alive" : "workers keep failing to start");
        listener_.reset();
        exit_code_ = 1;
        begin_stop();
      }
      restart_dead_workers();
      poll_once();
    }
    if (announced_ready_) {
      nlohmann::json extra{{"node", options_.node_id},
                           {"processes", options_.processes},
                           {"restarts", restarts_},
                           {"spawn_failures", spawn_failures_},
                           {"crash_loops", crash_loops_}};
      write_json_line(STDOUT_FILENO, stopped_line(spec_.name, options_.mode, totals_, extra));
    }
    return exit_code_;
  }

 private:
  // Forks a worker into `w`. False (the reason logged) when pipe2 or fork failed: EMFILE,
  // EAGAIN (the process or memory limits), which may pass.
  bool spawn(Worker& w) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      std::fprintf(stderr, "iomb-%s: pipe2: %s\n", spec_.name.c_str(), std::strerror(errno));
      ++spawn_failures_;
      return false;
    }
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
      std::fprintf(stderr, "iomb-%s: fork: %s\n", spec_.name.c_str(), std::strerror(errno));
      ::close(fds[0]);
      ::close(fds[1]);
      ++spawn_failures_;
      return false;
    }
    if (pid == 0) {
      ::close(fds[0]);
      // Die with the supervisor: SIGTERM goes to the worker's watcher thread (graceful).
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(1);
      sigset_t chld;
      sigemptyset(&chld);
      sigaddset(&chld, SIGCHLD);
      pthread_sigmask(SIG_UNBLOCK, &chld, nullptr);
      UniqueFd own(::dup(listener_.get()));
      int rc = run_single_server(options_, spec_, factory_, std::move(own), fds[1]);
      ::_exit(rc);
    }
    ::close(fds[1]);
    w.pid = pid;
    w.out.reset(fds[0]);
    w.pending.clear();
    w.ready = false;
    w.started = Clock::now();
    return true;
  }

  // Slot `i` failed to start (its worker died young, or could not be forked): retry after a
  // delay doubling with each failure in a row, or give the slot up at kCrashLoopLimit.
  void schedule_restart(size_t i, const char* what) {
    Worker& w = workers_[i];
    ++w.failures_in_row;
    if (w.failures_in_row >= kCrashLoopLimit) {
      w.given_up = true;
      ++crash_loops_;
      std::fprintf(stderr,
                   "iomb-%s: worker %zu %s; it failed %d starts in a row (a crash loop): not "
                   "restarting it\n",
                   spec_.name.c_str(), i, what, w.failures_in_row);
      return;
    }
    const milliseconds delay =
        std::min(kMaxRetryDelay, kFirstRetryDelay * (1 << (w.failures_in_row - 1)));
    std::fprintf(stderr, "iomb-%s: worker %zu %s; restarting it in %lld ms\n", spec_.name.c_str(),
                 i, what, static_cast<long long>(delay.count()));
    w.needs_restart = true;
    w.restart_at = Clock::now() + delay;
  }

  // No worker is alive and none will be: every slot given up (or, before the first ready
  // line, any slot given up: the server cannot start as asked).
  bool cannot_serve() const {
    bool any_given_up = false, any_hope = false;
    for (const auto& w : workers_) {
      any_given_up |= w.given_up;
      any_hope |= w.pid > 0 || w.needs_restart;
    }
    return announced_ready_ ? !any_hope && any_given_up : any_given_up;
  }

  void poll_once() {
    std::vector<pollfd> pfds;
    pfds.push_back({signal_fd_.get(), POLLIN, 0});
    for (auto& w : workers_) {
      if (w.out) pfds.push_back({w.out.get(), POLLIN, 0});
    }
    int timeout_ms = 200;
    for (const auto& w : workers_) {
      if (!w.needs_restart) continue;
      auto until = std::chrono::duration_cast<milliseconds>(w.restart_at - Clock::now()).count();
      timeout_ms = std::clamp(static_cast<int>(until) + 1, 0, timeout_ms);
    }
    int n = ::poll(pfds.data(), pfds.size(), timeout_ms);
    if (n <= 0) return;
    if (pfds[0].revents & POLLIN) handle_signals();
    for (auto& w : workers_) {
      if (w.out) read_lines(w);
    }
  }

  void handle_signals() {
    signalfd_siginfo info;
    while (::read(signal_fd_.get(), &info, sizeof info) == sizeof info) {
      if (info.ssi_signo == SIGCHLD) {
        reap();
      } else if (!stopping_) {
        begin_stop();
      }
    }
  }

  void begin_stop() {
    stopping_ = true;
    stop_deadline_ = Clock::now() + std::chrono::seconds(10);
    for (auto& w : workers_) {
      if (w.pid > 0) ::kill(w.pid, SIGTERM);
    }
  }

  void reap() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      for (size_t i = 0; i < workers_.size(); ++i) {
        Worker& w = workers_[i];
        if (w.pid != pid) continue;
        read_lines(w);  // a stopped line may still sit in the pipe
        w.pid = -1;
        w.out.reset();
        if (stopping_) break;
        if (WIFEXITED(status) && WEXITSTATUS(status) == kExitUnavailable && !w.ready) {
          exit_code_ = kExitUnavailable;
          begin_stop();
          break;
        }
        char what[96];
        std::snprintf(what, sizeof what, "(pid %d) %s %d", pid,
                      WIFSIGNALED(status) ? "was killed by signal" : "exited with",
                      WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        if (w.ready && Clock::now() - w.started >= kStableAfter) {
          // It had served for a while: a fault, not a failure to start. Restart at once.
          w.failures_in_row = 0;
          std::fprintf(stderr, "iomb-%s: worker %zu %s; restarting it\n", spec_.name.c_str(), i,
                       what);
          w.needs_restart = true;
          w.restart_at = Clock::now();
        } else {
          schedule_restart(i, what);
        }
        break;
      }
    }
  }

  // Restarts dead workers whose delay has passed (from the main loop, never from inside
  // reap(), so that a worker that dies at once cannot keep the supervisor in a reap-fork cycle).
  void restart_dead_workers() {
    const auto now = Clock::now();
    for (size_t i = 0; i < workers_.size(); ++i) {
      Worker& w = workers_[i];
      if (!w.needs_restart || stopping_ || now < w.restart_at) continue;
      w.needs_restart = false;
      if (spawn(w)) {
        ++restarts_;
      } else {
        schedule_restart(i, "could not be forked");
      }
    }
  }

  void read_lines(Worker& w) {
    char buf[4096];
    for (;;) {
      pollfd p{w.out.get(), POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP))) return;
      ssize_t n = ::read(w.out.get(), buf, sizeof buf);
      if (n <= 0) return;
      w.pending.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = w.pending.find('\n')) != std::string::npos) {
        handle_line(w, w.pending.substr(0, nl));
        w.pending.erase(0, nl + 1);
      }
    }
  }

  void handle_line(Worker& w, const std::string& text) {
    auto line = nlohmann::json::parse(text, nullptr, false);
    if (!line.is_object()) return;
    std::string event = line.value("event", "");
    if (event == "listening") {
      w.ready = true;
      if (ready_extra_.is_null()) {
        ready_extra_ = nlohmann::json::object();
        for (auto& [k, v] : line.items()) {
          if (k != "event" && k != "model" && k != "mode" && k != "host" && k != "port" &&
              k != "pid") {
            ready_extra_[k] = v;
          }
        }
      }
    } else if (event == "stopped") {
      totals_ += CounterSnapshot::from_json(line);
    }
  }

  bool all_ready() const {
    for (auto& w : workers_) {
      if (!w.ready) return false;
    }
    return true;
  }

  int live_workers() const {
    int n = 0;
    for (auto& w : workers_) n += w.pid > 0;
    return n;
  }

  void announce_ready() {
    announced_ready_ = true;
    nlohmann::json extra = ready_extra_.is_object() ? ready_extra_ : nlohmann::json::object();
    extra["processes"] = options_.processes;
    std::vector<int> pids;
    for (auto& w : workers_) pids.push_back(w.pid);
    extra["workers"] = pids;
    write_json_line(STDOUT_FILENO,
                    ready_line(spec_.name, options_.mode, options_.host, port_, extra));
  }

  const ServerOptions& options_;
  const ModelSpec& spec_;
  const ServerFactory& factory_;
  UniqueFd listener_;
  std::vector<Worker> workers_;
  UniqueFd signal_fd_;
  uint16_t port_ = 0;
  bool stopping_ = false;
  bool killed_ = false;
  Clock::time_point stop_deadline_ = Clock::time_point::max();
  bool announced_ready_ = false;
  int restarts_ = 0;
  int spawn_failures_ = 0;  // pipe2 or fork failed
  int crash_loops_ = 0;     // slots given up
  int exit_code_ = 0;
  nlohmann::json ready_extra_;
  CounterSnapshot totals_;
};

}  // namespace

int supervise_workers(const ServerOptions& options, const ModelSpec& spec,
                      const ServerFactory& factory, UniqueFd listener) {
  Supervisor supervisor(options, spec, factory, std::move(listener));
  return supervisor.run();
}

}  // namespace iomb
