// RedisServer: a real redis-server (Debian's) of the caller's own on a free loopback port,
// persistence off, in the foreground, SIGKILLed when the object goes; never a system service.
// The cluster lab's central store and the integration tests' --session-store redis backend;
// both kill, pause and restart it to fault the servers. One thread owns an instance.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/process/child_process.h"

namespace iomb::cluster {

class RedisServer {
 public:
  // Starts redis-server (pinned to `cpus` when given) and waits until it answers PING (5 s).
  // available() is false when redis-server is not installed or did not come up (the reason in
  // error()).
  explicit RedisServer(std::vector<int> cpus = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  bool available() const { return child_.has_value(); }
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return child_ ? child_->pid() : -1; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

  void kill();     // SIGKILL and reap
  bool restart();  // a fresh (empty) redis-server on the same port; true once it answers PING
  void pause();    // SIGSTOP, returning once every thread has stopped
  void resume();   // SIGCONT

  // One command over a fresh connection (RESP via hiredis); the reply as text (integers in
  // decimal, nil as "(nil)", errors prefixed "ERR:"), or nullopt when Redis does not answer.
  std::optional<std::string> command(const std::vector<std::string>& argv) const;
  // CPU time (user + system) the server used so far, in microseconds; -1 when not running.
  int64_t cpu_us() const;

 private:
  bool launch();

  std::vector<int> cpus_;
  std::optional<process::ChildProcess> child_;
  uint16_t port_ = 0;
  std::string error_;
};

}  // namespace iomb::cluster
