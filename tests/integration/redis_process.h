// RedisProcess: a real redis-server (Debian's) of the test's own, on an ephemeral loopback port,
// persistence off, stopped (SIGKILL) when the object goes; never a system service. Tests use
// it as --session-store redis's store and kill, pause or restart it to fault the servers.
// One test thread owns an instance.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/process/child_process.h"

namespace iomb::testing {

class RedisProcess {
 public:
  // Starts redis-server on a free loopback port and waits until it answers PING (5 s).
  // available() is false when redis-server is not installed or did not come up (the reason in
  // error()).
  RedisProcess();
  ~RedisProcess();
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  bool available() const { return child_.has_value(); }
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

  void kill();    // SIGKILL and reap
  bool restart();  // a fresh (empty) redis-server on the same port; true once it answers PING
  void pause();   // SIGSTOP: a Redis that accepts nothing and answers nothing
  void resume();  // SIGCONT

  // One command over a fresh connection (RESP via hiredis); the reply as text (integers in
  // decimal, nil as "(nil)", errors prefixed "ERR:"), or nullopt when Redis does not answer.
  std::optional<std::string> command(const std::vector<std::string>& argv) const;
  // CPU time (user + system) the server used so far, in microseconds (/proc/<pid>/stat).
  int64_t cpu_us() const;

 private:
  bool launch();

  std::optional<process::ChildProcess> child_;
  uint16_t port_ = 0;
  std::string error_;
};

}  // namespace iomb::testing
