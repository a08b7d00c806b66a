// ServerLauncher: starts a server binary that follows DESIGN §3.2 (ready line on stdout, stopped
// line and exit 0 on SIGTERM), optionally pinned to CPUs, keeps the tail of its stderr for error
// reports, and stops it. The child is a process::ChildProcess with both outputs kept as bounded
// tails (drained by its reader thread, so a chatty server never blocks on them) and SIGTERM as
// its parent-death signal. Owned by the orchestrator's main thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/process/child_process.h"

namespace iomb::harness {

// Splits a --server-args string like a shell would for plain words and '...' / "..." quotes.
// Throws std::invalid_argument on an unterminated quote.
std::vector<std::string> split_args(const std::string& text);

// A model name ("bio") → <dir of this executable>/iomb-<name>; anything with a '/' is a path.
std::string resolve_server_binary(const std::string& server);

class ServerLauncher {
 public:
  struct Options {
    std::string binary;
    std::vector<std::string> args;
    std::vector<int> cpus;  // empty: not pinned
    std::chrono::milliseconds ready_timeout{10'000};
  };
  static constexpr int kExitUnavailable = 77;

  // Starts the server and waits for its ready line (or its exit, or the timeout).
  explicit ServerLauncher(Options options);
  ~ServerLauncher() = default;  // the child SIGKILLs a server still running
  ServerLauncher(const ServerLauncher&) = delete;
  ServerLauncher& operator=(const ServerLauncher&) = delete;

  bool ready() const { return ready_.is_object(); }
  // The server exited 77: its IO interface is unavailable here (see stderr_tail()).
  bool unavailable() const { return exit_code_ == kExitUnavailable; }
  const nlohmann::json& ready_line() const { return ready_; }
  pid_t pid() const { return child_ ? child_->pid() : -1; }
  // A short description of why the start failed ("exited 1", "no ready line after 10 s").
  const std::string& start_problem() const { return problem_; }

  // Whether the process is still running (reaps it if it exited).
  bool alive();
  int exit_code() const { return exit_code_; }  // -signal when killed; kRunning while running

  struct Stop {
    bool clean = false;  // stopped line seen and exit 0
    int exit_code = 0;
    nlohmann::json stopped = nlohmann::json::object();
    std::string problem;
  };
  // SIGTERM, then waits up to `timeout` for the stopped line and the exit (SIGKILL after).
  Stop stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  std::string stderr_tail(size_t max_bytes = 2048) const;

  static constexpr int kRunning = -1000;

 private:
  bool wait_exit(std::chrono::milliseconds timeout);
  bool wait_for_line(const char* event, nlohmann::json* out,
                     std::chrono::steady_clock::time_point deadline);

  std::optional<process::ChildProcess> child_;
  int exit_code_ = kRunning;
  nlohmann::json ready_;
  std::string problem_;
};

}  // namespace iomb::harness
