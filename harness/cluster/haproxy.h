// HAProxy for the session-cluster lab (DESIGN §4.7): the configuration a strategy needs,
// written from a typed description (haproxy_config()), and Haproxy, a real haproxy (Debian's
// 2.6) of the caller's own on a loopback port, in the foreground, stopped when the object goes.
// Stickiness is the balancer's job: `cookie SRV insert indirect nocache` (the balancer's own
// cookie) or a stick table keyed on the application's `sid` cookie (a stateful balancer).
// One thread owns a Haproxy.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/process/child_process.h"

namespace iomb::cluster {

enum class Stickiness {
  kNone,        // round robin: nothing keeps a client on one node
  kCookie,      // HAProxy inserts cookie SRV naming the node (`cookie SRV insert indirect nocache`)
  kStickTable,  // a stick table maps each `sid` cookie to the node that created it
};

struct HaproxyBackend {
  std::string name;  // also the SRV cookie value
  std::string host = "127.0.0.1";
  uint16_t port = 0;
};

struct HaproxyConfig {
  std::string bind_host = "127.0.0.1";
  uint16_t bind_port = 0;
  bool layer7 = true;  // mode http; false: mode tcp (layer 4 round robin, no stickiness)
  Stickiness stickiness = Stickiness::kNone;
  std::vector<HaproxyBackend> backends;
  std::chrono::milliseconds check_interval{200};  // health checks (GET /healthz in mode http)
  int retries = 2;                                // with option redispatch
  int maxconn = 20000;  // capped to what the descriptor limit allows (two per connection)
  // How long a request may wait for its node's answer before HAProxy answers 504 (a paused
  // node holds its requests this long).
  std::chrono::milliseconds server_timeout{30000};
  std::vector<int> cpus;  // where haproxy runs; empty: not pinned
};

// The haproxy.cfg text. Throws std::invalid_argument for a config HAProxy cannot honour
// (no backend, stickiness in mode tcp).
std::string haproxy_config(const HaproxyConfig& config);

class Haproxy {
 public:
  // Writes the config (bind_port 0: a free loopback port is chosen) and starts haproxy, then
  // waits up to `ready_timeout` until its frontend accepts. available() is false when haproxy
  // is not installed or did not come up (error() says why).
  explicit Haproxy(HaproxyConfig config,
                   std::chrono::milliseconds ready_timeout = std::chrono::seconds(5));
  ~Haproxy();
  Haproxy(const Haproxy&) = delete;
  Haproxy& operator=(const Haproxy&) = delete;

  bool available() const { return child_.has_value(); }
  const std::string& error() const { return error_; }
  uint16_t port() const { return config_.bind_port; }
  pid_t pid() const { return child_ ? child_->pid() : -1; }
  // SIGTERM (haproxy's hard stop) and reap.
  void stop();

 private:
  bool launch(std::chrono::milliseconds ready_timeout);

  HaproxyConfig config_;
  std::string config_path_;
  std::optional<process::ChildProcess> child_;
  std::string error_;
};

}  // namespace iomb::cluster
