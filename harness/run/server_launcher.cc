// Implementation of server_launcher.h.
#include "harness/run/server_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

#include "common/self_exe.h"

namespace iomb::harness {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kStderrKeep = 64 * 1024;

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
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    problem_ = std::string("pipe2: ") + std::strerror(errno);
    return;
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    problem_ = std::string("pipe2: ") + std::strerror(errno);
    ::close(out[0]);
    ::close(out[1]);
    return;
  }
  std::vector<std::string> argv_s;
  argv_s.push_back(options.binary);
  bool has_port = false;
  for (auto& a : options.args) {
    if (a == "--port" || a.rfind("--port=", 0) == 0) has_port = true;
    argv_s.push_back(a);
  }
  if (!has_port) {
    argv_s.push_back("--port");
    argv_s.push_back("0");
  }
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : options.cpus) CPU_SET(cpu, &set);

  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    // If iomb dies without stopping it (SIGKILL), the server does not linger.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (!options.cpus.empty()) ::sched_setaffinity(0, sizeof set, &set);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  if (pid_ < 0) {
    problem_ = std::string("fork: ") + std::strerror(errno);
    ::close(out[0]);
    ::close(err[0]);
    return;
  }
  stdout_.reset(out[0]);
  stderr_.reset(err[0]);
  wake_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  reader_ = std::thread([this] { reader_loop(); });

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

ServerLauncher::~ServerLauncher() {
  if (pid_ > 0 && exit_code_ == kRunning) {
    ::kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(5));
  }
  if (reader_.joinable()) {
    uint64_t one = 1;
    if (::write(wake_.get(), &one, sizeof one) < 0) {
      // The reader also ends on EOF of both pipes, which the exit above produced.
    }
    reader_.join();
  }
}

void ServerLauncher::reader_loop() {
  bool out_open = true, err_open = true;
  char buf[4096];
  while (out_open || err_open) {
    pollfd fds[3] = {{out_open ? stdout_.get() : -1, POLLIN, 0},
                     {err_open ? stderr_.get() : -1, POLLIN, 0},
                     {wake_.get(), POLLIN, 0}};
    int n = ::poll(fds, 3, 200);
    if (n < 0 && errno != EINTR) break;
    if (fds[2].revents) break;
    for (int k = 0; k < 2; ++k) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t r = ::read(fds[k].fd, buf, sizeof buf);
      std::lock_guard lock(mu_);
      if (r <= 0) {
        (k == 0 ? out_open : err_open) = false;
        continue;
      }
      if (k == 1) {
        stderr_buf_.append(buf, static_cast<size_t>(r));
        if (stderr_buf_.size() > 2 * kStderrKeep)
          stderr_buf_.erase(0, stderr_buf_.size() - kStderrKeep);
        continue;
      }
      stdout_partial_.append(buf, static_cast<size_t>(r));
      size_t nl;
      while ((nl = stdout_partial_.find('\n')) != std::string::npos) {
        auto j = nlohmann::json::parse(stdout_partial_.substr(0, nl), nullptr, false);
        stdout_partial_.erase(0, nl + 1);
        if (j.is_object()) lines_.push_back(std::move(j));
      }
      if (stdout_partial_.size() > kStderrKeep) stdout_partial_.clear();  // not our protocol
    }
    cv_.notify_all();
  }
  std::lock_guard lock(mu_);
  eof_ = true;
  cv_.notify_all();
}

bool ServerLauncher::wait_for_line(const char* event, nlohmann::json* out,
                                   Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  for (;;) {
    for (auto& j : lines_) {
      if (j.value("event", "") == event) {
        *out = j;
        return true;
      }
    }
    if (eof_) return false;
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      for (auto& j : lines_) {
        if (j.value("event", "") == event) {
          *out = j;
          return true;
        }
      }
      return false;
    }
  }
}

bool ServerLauncher::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return true;
  if (exit_code_ != kRunning) return true;
  auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      return true;
    }
    if (r < 0 && errno != EINTR) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool ServerLauncher::alive() { return pid_ > 0 && !wait_exit(std::chrono::milliseconds(0)); }

ServerLauncher::Stop ServerLauncher::stop(std::chrono::milliseconds timeout) {
  Stop s;
  if (pid_ <= 0) {
    s.problem = "not started";
    return s;
  }
  bool was_running = alive();
  if (was_running) ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + timeout;
  bool got_line = wait_for_line("stopped", &s.stopped, deadline);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (!wait_exit(std::max(left, std::chrono::milliseconds(100)))) {
    ::kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(5));
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
  std::lock_guard lock(mu_);
  if (stderr_buf_.size() <= max_bytes) return stderr_buf_;
  return stderr_buf_.substr(stderr_buf_.size() - max_bytes);
}

}  // namespace iomb::harness
