// ServerProcess: launches a server binary (any model, DESIGN §3.2 lifecycle) with flags on an
// ephemeral loopback port, waits for its ready line, and stops it with a signal, returning the
// stopped line. The server is a process::ChildProcess with stdout and stderr kept as bounded
// tails. Used by every integration test; one test thread owns an instance.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/process/child_process.h"

namespace iomb::testing {

// Path of a built binary ("iomb-bio", "iomb") in the build tree.
std::string binary_path(const std::string& name);

class ServerProcess {
 public:
  // Starts `binary` with `args` plus "--port 0" unless args name a port. Waits up to
  // `ready_timeout` for the ready line. Check started() / exit_code() after.
  ServerProcess(const std::string& binary, std::vector<std::string> args,
                std::chrono::milliseconds ready_timeout = std::chrono::seconds(10));
  ~ServerProcess();  // SIGKILLs the process if still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool started() const { return ready_.is_object(); }
  // True when the binary exited 77 (its IO interface is unavailable here).
  bool unavailable() const { return exit_code_ == 77; }
  const nlohmann::json& ready() const { return ready_; }
  uint16_t port() const { return ready_.value("port", 0); }
  pid_t pid() const { return child_ ? child_->pid() : -1; }

  // Sends `signo` and waits up to `timeout` for exit. Returns the stopped line if one was
  // printed (an empty object otherwise). exit_code() is valid afterwards.
  nlohmann::json stop(int signo, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Waits for the process to exit on its own. Returns false on timeout.
  bool wait_exit(std::chrono::milliseconds timeout);
  bool running() const { return child_ && exit_code_ == kRunning; }
  int exit_code() const { return exit_code_; }  // -signal if killed by a signal
  std::string stderr_text();
  // Lines read from stdout after the ready line (e.g. the stopped line).
  std::vector<nlohmann::json> read_stdout_lines(std::chrono::milliseconds timeout);
  // Resident set size in KiB (sum over the process and its children is not taken).
  long rss_kib() const;
  int thread_count() const;
  // SIGSTOP, then waits (up to 2 s) until every thread is stopped: kill() returns before the
  // target stops, and a busy machine may let it run on for milliseconds. False on timeout.
  bool pause();
  void resume();  // SIGCONT

  static constexpr int kRunning = -1000;

 private:
  bool read_line(std::string* line, std::chrono::steady_clock::time_point deadline);
  void reap(std::chrono::milliseconds timeout);

  std::optional<process::ChildProcess> child_;
  std::string start_error_;  // stderr_text() when the server could not be started at all
  int exit_code_ = kRunning;
  nlohmann::json ready_;
};

// True once every thread of `pid` is in the stopped state ('T' in /proc/<pid>/task/*/stat),
// within `timeout`.
bool wait_all_threads_stopped(pid_t pid, std::chrono::milliseconds timeout);

// Reads /proc/<pid>/status field (e.g. "VmRSS", "Threads"); -1 if missing.
long proc_status_value(pid_t pid, const std::string& field);

}  // namespace iomb::testing
