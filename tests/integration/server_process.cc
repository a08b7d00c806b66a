// Implementation of server_process.h.
#include "tests/integration/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

namespace iomb::testing {

using Clock = std::chrono::steady_clock;

std::string binary_path(const std::string& name) { return std::string(IOMB_BIN_DIR) + "/" + name; }

ServerProcess::ServerProcess(const std::string& binary, std::vector<std::string> args,
                             std::chrono::milliseconds ready_timeout) {
  if (std::find(args.begin(), args.end(), "--port") == args.end()) {
    args.push_back("--port");
    args.push_back("0");
  }
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    // The test runner may have signals blocked or ignored; a server starts clean.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  stdout_.reset(out[0]);
  stderr_.reset(err[0]);
  ::fcntl(stdout_.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(stderr_.get(), F_SETFL, O_NONBLOCK);
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

ServerProcess::~ServerProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    reap(std::chrono::seconds(5));
  }
}

bool ServerProcess::read_line(std::string* line, Clock::time_point deadline) {
  for (;;) {
    size_t nl = stdout_buf_.find('\n');
    if (nl != std::string::npos) {
      *line = stdout_buf_.substr(0, nl);
      stdout_buf_.erase(0, nl + 1);
      return true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{stdout_.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 100))) <= 0) {
      stderr_text();  // keep the stderr pipe drained so the server never blocks on it
      continue;
    }
    char buf[4096];
    ssize_t n = ::read(stdout_.get(), buf, sizeof buf);
    if (n == 0) return false;  // EOF: the process closed stdout (exited)
    if (n > 0) stdout_buf_.append(buf, static_cast<size_t>(n));
  }
}

void ServerProcess::reap(std::chrono::milliseconds timeout) {
  if (pid_ <= 0 || exit_code_ != kRunning) return;
  auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      return;
    }
    if (Clock::now() > deadline) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
  reap(timeout);
  return exit_code_ != kRunning;
}

nlohmann::json ServerProcess::stop(int signo, std::chrono::milliseconds timeout) {
  if (!running()) return nlohmann::json::object();
  ::kill(pid_, signo);
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

std::string ServerProcess::stderr_text() {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(stderr_.get(), buf, sizeof buf);
    if (n <= 0) break;
    stderr_buf_.append(buf, static_cast<size_t>(n));
    if (stderr_buf_.size() > (1u << 20)) stderr_buf_.erase(0, stderr_buf_.size() - (1u << 19));
  }
  return stderr_buf_;
}

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

long ServerProcess::rss_kib() const { return proc_status_value(pid_, "VmRSS"); }
int ServerProcess::thread_count() const {
  return static_cast<int>(proc_status_value(pid_, "Threads"));
}

}  // namespace iomb::testing
