// Implementation of server_process.h.
#include "tests/integration/server_process.h"

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

#include "harness/sampling/proc_files.h"

namespace iomb::testing {

using Clock = std::chrono::steady_clock;
// Old stderr is dropped past this (a server that logs per connection must not grow the test).
constexpr size_t kOutputKeep = 1 << 20;

std::string binary_path(const std::string& name) { return std::string(IOMB_BIN_DIR) + "/" + name; }

ServerProcess::ServerProcess(const std::string& binary, std::vector<std::string> args,
                             std::chrono::milliseconds ready_timeout) {
  if (std::find(args.begin(), args.end(), "--port") == args.end()) {
    args.push_back("--port");
    args.push_back("0");
  }
  process::ChildProcess::Options options;
  options.argv.push_back(binary);
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.out = process::ChildProcess::Output::kTail;
  options.err = process::ChildProcess::Output::kTail;
  options.tail_bytes = kOutputKeep;
  try {
    child_.emplace(process::ChildProcess::spawn(std::move(options)));
  } catch (const std::system_error& e) {
    exit_code_ = 127;  // what a shell reports for a program it cannot start
    start_error_ = e.what();
    return;
  }
  auto deadline = Clock::now() + ready_timeout;
  std::string line;
  while (read_line(&line, deadline)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("event", "") == "listening") {
      ready_ = j;
      return;
    }
  }
  // Not ready: collect the exit status if it died.
  reap(std::chrono::milliseconds(200));
}

ServerProcess::~ServerProcess() = default;  // the child SIGKILLs a server still running

bool ServerProcess::read_line(std::string* line, Clock::time_point deadline) {
  return child_ && child_->read_line(line, deadline);
}

void ServerProcess::reap(std::chrono::milliseconds timeout) {
  if (!child_ || exit_code_ != kRunning) return;
  if (auto status = child_->wait_for(timeout)) exit_code_ = process::exit_code_of(*status);
}

bool ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
  reap(timeout);
  return exit_code_ != kRunning;
}

nlohmann::json ServerProcess::stop(int signo, std::chrono::milliseconds timeout) {
  if (!running()) return nlohmann::json::object();
  child_->signal(signo);
  auto deadline = Clock::now() + timeout;
  nlohmann::json stopped = nlohmann::json::object();
  std::string line;
  while (read_line(&line, deadline)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("event", "") == "stopped") stopped = j;
  }
  reap(std::chrono::duration_cast<std::chrono::milliseconds>(
      std::max(deadline - Clock::now(), Clock::duration(std::chrono::milliseconds(50)))));
  return stopped;
}

std::vector<nlohmann::json> ServerProcess::read_stdout_lines(std::chrono::milliseconds timeout) {
  std::vector<nlohmann::json> lines;
  auto deadline = Clock::now() + timeout;
  std::string line;
  while (read_line(&line, deadline)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object()) lines.push_back(j);
  }
  return lines;
}

std::string ServerProcess::stderr_text() { return child_ ? child_->stderr_text() : start_error_; }

long proc_status_value(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream s(line.substr(field.size() + 1));
      long v = -1;
      s >> v;
      return v;
    }
  }
  return -1;
}

bool wait_all_threads_stopped(pid_t pid, std::chrono::milliseconds timeout) {
  return sampling::wait_all_threads_stopped(pid, static_cast<int>(timeout.count()));
}

bool ServerProcess::pause() {
  if (!child_ || child_->signal(SIGSTOP) != 0) return false;
  return wait_all_threads_stopped(pid(), std::chrono::seconds(2));
}

void ServerProcess::resume() {
  if (child_) child_->signal(SIGCONT);
}

long ServerProcess::rss_kib() const { return proc_status_value(pid(), "VmRSS"); }
int ServerProcess::thread_count() const {
  return static_cast<int>(proc_status_value(pid(), "Threads"));
}

}  // namespace iomb::testing
