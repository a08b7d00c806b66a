// Implementation of server_launcher.h.
#include "harness/run/server_launcher.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "common/self_exe.h"

namespace iomb::harness {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kOutputKeep = 64 * 1024;  // per stream, and for unread stdout lines

}  // namespace

std::vector<std::string> split_args(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (char ch : text) {
    if (quote) {
      if (ch == quote) {
        quote = 0;
      } else {
        cur += ch;
      }
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      in_word = true;
    } else if (ch == ' ' || ch == '\t' || ch == '\n') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += ch;
      in_word = true;
    }
  }
  if (quote) throw std::invalid_argument("unterminated quote in '" + text + "'");
  if (in_word) out.push_back(cur);
  return out;
}

std::string resolve_server_binary(const std::string& server) {
  if (server.find('/') != std::string::npos) return server;
  return self_exe_dir() + "/iomb-" + server;
}

ServerLauncher::ServerLauncher(Options options) {
  if (::access(options.binary.c_str(), X_OK) != 0) {
    problem_ = options.binary + ": " + std::strerror(errno);
    return;
  }
  process::ChildProcess::Options child;
  child.argv.push_back(options.binary);
  bool has_port = false;
  for (auto& a : options.args) {
    if (a == "--port" || a.rfind("--port=", 0) == 0) has_port = true;
    child.argv.push_back(a);
  }
  if (!has_port) {
    child.argv.push_back("--port");
    child.argv.push_back("0");
  }
  child.cpus = options.cpus;
  child.out = process::ChildProcess::Output::kTail;
  child.err = process::ChildProcess::Output::kTail;
  child.tail_bytes = kOutputKeep;
  // If iomb dies without stopping it (SIGKILL), the server does not linger.
  child.parent_death_signal = SIGTERM;
  try {
    child_.emplace(process::ChildProcess::spawn(std::move(child)));
  } catch (const std::system_error& e) {
    problem_ = e.what();
    return;
  }

  if (!wait_for_line("listening", &ready_, Clock::now() + options.ready_timeout)) {
    ready_ = nlohmann::json();
    if (wait_exit(std::chrono::milliseconds(500))) {
      problem_ = exit_code_ >= 0
                     ? "exited " + std::to_string(exit_code_) + " before its ready line"
                     : "killed by signal " + std::to_string(-exit_code_) + " before its ready line";
    } else {
      problem_ = "no ready line after " + std::to_string(options.ready_timeout.count()) + " ms";
    }
  }
}

// Lines are consumed in order: the ready line is read before the run, the stopped line after
// SIGTERM, and lines that are not JSON objects are skipped.
bool ServerLauncher::wait_for_line(const char* event, nlohmann::json* out,
                                   Clock::time_point deadline) {
  std::string line;
  while (child_->read_line(&line, deadline)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("event", "") == event) {
      *out = std::move(j);
      return true;
    }
  }
  return false;
}

bool ServerLauncher::wait_exit(std::chrono::milliseconds timeout) {
  if (!child_) return true;
  if (exit_code_ != kRunning) return true;
  auto status = child_->wait_for(timeout);
  if (!status) return false;
  exit_code_ = process::exit_code_of(*status);
  return true;
}

bool ServerLauncher::alive() { return child_ && !wait_exit(std::chrono::milliseconds(0)); }

ServerLauncher::Stop ServerLauncher::stop(std::chrono::milliseconds timeout) {
  Stop s;
  if (!child_) {
    s.problem = "not started";
    return s;
  }
  bool was_running = alive();
  if (was_running) child_->signal(SIGTERM);
  auto deadline = Clock::now() + timeout;
  bool got_line = wait_for_line("stopped", &s.stopped, deadline);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (!wait_exit(std::max(left, std::chrono::milliseconds(100)))) {
    child_->wait_or_kill(std::chrono::milliseconds(0));
    wait_exit(std::chrono::milliseconds(0));
    s.problem = "did not exit within " + std::to_string(timeout.count()) + " ms of SIGTERM";
  }
  s.exit_code = exit_code_;
  if (s.problem.empty()) {
    if (!was_running) {
      s.problem = exit_code_ >= 0
                      ? "exited " + std::to_string(exit_code_) + " during the run"
                      : "killed by signal " + std::to_string(-exit_code_) + " during the run";
    } else if (!got_line) {
      s.problem = "no stopped line";
    } else if (exit_code_ != 0) {
      s.problem = "exit code " + std::to_string(exit_code_) + " after SIGTERM";
    }
  }
  s.clean = s.problem.empty();
  return s;
}

std::string ServerLauncher::stderr_tail(size_t max_bytes) const {
  if (!child_) return "";
  std::string tail = child_->stderr_text();
  if (tail.size() <= max_bytes) return tail;
  return tail.substr(tail.size() - max_bytes);
}

}  // namespace iomb::harness
