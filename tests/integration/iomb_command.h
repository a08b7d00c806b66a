// Runs the `iomb` binary from integration tests: argv in, exit code, stdout and stderr out,
// bounded by a timeout (the process is killed after it). Header-only so the shared support
// library stays untouched. One test thread per call.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_process.h"

namespace iomb::testing {

struct CommandResult {
  int exit_code = -1000;  // -signal when killed; -1000 when it could not run
  std::string out;
  std::string err;
};

// Starts `binary args...` with stdout/stderr to temp files; returns its pid (or -1).
inline pid_t spawn_command(const std::string& binary, const std::vector<std::string>& args,
                           const std::string& out_path, const std::string& err_path) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits for `pid` up to `timeout`, then SIGKILLs it. Returns the exit code (-signal if killed).
inline int wait_command(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -SIGKILL;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

inline std::string temp_path(const std::string& stem) {
  return ::testing::TempDir() + "iomb_" + stem + "_" + std::to_string(::getpid());
}

// Runs iomb (or another built binary) to completion.
inline CommandResult run_iomb(const std::vector<std::string>& args,
                              std::chrono::milliseconds timeout = std::chrono::seconds(60),
                              const std::string& binary = binary_path("iomb")) {
  CommandResult r;
  std::string out = temp_path("out"), err = temp_path("err");
  pid_t pid = spawn_command(binary, args, out, err);
  if (pid < 0) return r;
  r.exit_code = wait_command(pid, timeout);
  r.out = read_file(out);
  r.err = read_file(err);
  ::unlink(out.c_str());
  ::unlink(err.c_str());
  return r;
}

inline nlohmann::json read_json(const std::string& path) {
  return nlohmann::json::parse(read_file(path), nullptr, false);
}

// The first run_type=iteration entry of a result file.
inline nlohmann::json first_iteration(const nlohmann::json& doc) {
  for (const auto& b : doc.value("benchmarks", nlohmann::json::array())) {
    if (b.value("run_type", "") == "iteration") return b;
  }
  return nlohmann::json::object();
}

}  // namespace iomb::testing
