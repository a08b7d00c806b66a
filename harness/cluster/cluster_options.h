// The flags of `iomb cluster` (DESIGN §4.7) and their validation. Parsed on the main thread
// before anything starts; read-only afterwards.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/cluster/fault_plan.h"
#include "harness/cluster/strategy.h"

namespace CLI {
class App;
}

namespace iomb::cluster {

struct ClusterOptions {
  std::string model = "nio";
  std::string node_args;            // extra server flags for every node, shell-split
  std::vector<int> node_counts{3};  // swept (replication bytes grow with N)
  std::vector<std::string> strategy_names{"all"};
  std::vector<std::string> session_bytes_text{"64"};
  double rate = 1000;  // visits per second over all clients (open loop)
  int clients = 32;    // connections, each a client with its own cookie jar
  std::string duration_text = "10s";
  std::string warmup_text = "1s";
  int kill_node = -1;
  int pause_node = -1;
  bool kill_redis = false;
  std::string at_text;
  std::string restart_at_text;
  int repetitions = 1;  // every run R times, interleaved (strategies alternate)
  bool replay = true;
  std::string replay_after_text = "0s";
  std::chrono::nanoseconds replay_after{0};
  int check_interval_ms = 200;
  int server_timeout_ms = 2000;
  std::string server_cpus;  // nodes, HAProxy, Redis
  std::string client_cpus;
  std::string out;  // directory; default results/cluster/<UTC stamp>
  bool quiet = false;

  // Filled by validate_cluster_options().
  std::vector<Strategy> strategies;
  std::vector<uint64_t> session_bytes;
  std::chrono::nanoseconds duration{0};
  std::chrono::nanoseconds warmup{0};
  FaultPlan fault;
};

void add_cluster_command_flags(CLI::App& app, ClusterOptions& o);
// Cross-flag checks after parsing; throws CLI::ValidationError.
void validate_cluster_options(ClusterOptions& o);

}  // namespace iomb::cluster
