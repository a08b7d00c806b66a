// ClusterLab: one running session cluster on loopback (DESIGN §4.7): N iomb nodes of one model,
// HAProxy in front with the strategy's configuration and, for the central strategy, Redis.
// It starts and checks every process, injects the faults (kill, restart, pause a node; kill and
// restart Redis), samples what each process costs, and stops everything when it goes (every
// child also carries a parent-death signal, so a harness killed by Ctrl-C leaves nothing
// running). Owned by the cluster command's main thread; the fault methods are called from the
// fault thread during the load run, and a mutex keeps them apart from sample().
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "harness/cluster/haproxy.h"
#include "harness/cluster/redis_server.h"
#include "harness/cluster/strategy.h"
#include "harness/run/server_launcher.h"

namespace iomb::cluster {

struct LabOptions {
  Strategy strategy = Strategy::kNone;
  std::string model = "nio";  // iomb-<model>, or a path to a server binary
  int nodes = 3;
  uint64_t session_bytes = 64;
  std::vector<std::string> node_args;  // extra flags for every node (--mode, --threads...)
  std::vector<int> server_cpus;        // nodes, HAProxy and Redis; empty: not pinned
  std::chrono::milliseconds check_interval{200};
  std::chrono::milliseconds server_timeout{2000};
};

// CPU seconds and RSS of one lab process at one instant.
struct ProcessSample {
  std::string role;  // "node n0", "haproxy", "redis"
  pid_t pid = -1;
  bool running = false;
  double cpu_s = 0;
  long rss_kib = 0;
};

struct LabSample {
  std::vector<ProcessSample> processes;
  // Nodes that exited without a fault killing them: "node n1 exited with status 134: <stderr>".
  std::vector<std::string> unexpected_exits;
  uint64_t replication_bytes = 0;  // sum of every node's replication bytes_out so far
  uint64_t redis_bytes = 0;        // Redis's network bytes in and out so far
};

class ClusterLab {
 public:
  // Starts everything; throws std::runtime_error naming the process that did not come up.
  explicit ClusterLab(LabOptions options);
  ~ClusterLab();
  ClusterLab(const ClusterLab&) = delete;
  ClusterLab& operator=(const ClusterLab&) = delete;

  uint16_t balancer_port() const { return haproxy_->port(); }
  std::string balancer_target() const { return "127.0.0.1:" + std::to_string(balancer_port()); }
  const LabOptions& options() const { return options_; }
  // One line per process ("node n0 pid 1234 port 40001"), for the log.
  std::vector<std::string> describe() const;

  // Faults. Each returns a short description of what happened ("killed node n1 (pid 42)").
  std::string kill_node(int index);
  std::string restart_node(int index);  // a fresh process on the same port and flags
  std::string pause_node(int index);    // SIGSTOP
  std::string resume_node(int index);   // SIGCONT
  std::string kill_redis();
  std::string restart_redis();  // empty Redis on the same port

  LabSample sample();

  // Stops every process (nodes with SIGTERM and their stopped line); idempotent.
  void stop();

 private:
  std::vector<std::string> node_argv(int index) const;
  void start_node(int index);

  LabOptions options_;
  std::string binary_;
  std::vector<uint16_t> node_ports_;
  std::string secret_path_;
  std::unique_ptr<RedisServer> redis_;
  std::vector<std::unique_ptr<harness::ServerLauncher>> nodes_;
  std::unique_ptr<Haproxy> haproxy_;
  std::vector<bool> killed_;  // by a fault (an exit then is expected)
  mutable std::mutex mu_;     // nodes_ and redis_ between the fault thread and sample()
};

}  // namespace iomb::cluster
