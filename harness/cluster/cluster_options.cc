// Implementation of cluster_options.h.
#include "harness/cluster/cluster_options.h"

#include <CLI/CLI.hpp>
#include <algorithm>

#include "common/units.h"

namespace iomb::cluster {

void add_cluster_command_flags(CLI::App& app, ClusterOptions& o) {
  app.footer(
      "Strategies: sticky-cookie, sticky-table, replicated-async, replicated-sync, central, "
      "cookie, none, none-l4 (or all).\n"
      "Example: iomb cluster --strategy sticky-cookie,central --kill-node 1 --at 4s "
      "--restart-at 8s --duration 12s");
  app.add_option("--model", o.model, "Server model of every node (bio, nio, aio, asio) or a path")
      ->capture_default_str();
  app.add_option("--node-args", o.node_args,
                 "Extra flags for every node, e.g. \"--mode reactors --threads 2\"");
  app.add_option("--nodes", o.node_counts,
                 "Nodes behind HAProxy; several (2,3,4) sweep the cluster size")
      ->delimiter(',')
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  app.add_option("--strategy", o.strategy_names,
                 "How the cluster keeps sessions (comma-separated, or all); see below")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--session-bytes", o.session_bytes_text,
                 "Session payload sizes to sweep (comma-separated, units allowed: 64,1KiB,8KiB)")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--rate", o.rate,
                 "Open-loop visits per second over all clients (below saturation)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("-c,--clients", o.clients, "Clients (one connection and cookie jar each)")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("-d,--duration", o.duration_text,
                 "Measured time per run (faults count from its start)")
      ->capture_default_str();
  app.add_option("--warmup", o.warmup_text, "Warm-up before the measured window")
      ->capture_default_str();
  app.add_option("-r,--repetitions", o.repetitions,
                 "Repeat every run, interleaved (rep 1 of every run, then rep 2...); the summary "
                 "gives medians with min-max")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  auto* kill =
      app.add_option("--kill-node", o.kill_node, "Fault: SIGKILL node I (0-based) at --at");
  auto* pause = app.add_option("--pause-node", o.pause_node,
                               "Fault: SIGSTOP node I at --at (a slow node, not a dead one)");
  auto* redis = app.add_flag("--kill-redis", o.kill_redis,
                             "Fault: SIGKILL Redis at --at (the central strategy's store)");
  kill->excludes(pause)->excludes(redis);
  pause->excludes(redis);
  app.add_option("--at", o.at_text,
                 "When the fault happens, from the start of the measured window");
  app.add_option("--restart-at", o.restart_at_text,
                 "When the killed node or Redis starts again (empty) or the paused node resumes");
  app.add_flag("!--no-replay", o.replay,
               "Skip the cookie-replay probe (replays a session's first cookies after 3 visits)");
  app.add_option("--replay-after", o.replay_after_text,
                 "Wait this long before the replay (past --session-ttl-s in --node-args, every "
                 "store must refuse it)")
      ->capture_default_str();
  app.add_option("--check-interval-ms", o.check_interval_ms, "HAProxy health check interval")
      ->check(CLI::Range(10, 60000))
      ->capture_default_str();
  app.add_option("--server-timeout-ms", o.server_timeout_ms,
                 "HAProxy timeout server: how long a request waits on a silent (paused) node")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
  app.add_option("--server-cpus", o.server_cpus, "CPUs of the nodes, HAProxy and Redis (e.g. 1)");
  app.add_option("--client-cpus", o.client_cpus, "CPUs of the load generator (e.g. 0)");
  app.add_option("-o,--out", o.out, "Output directory (default results/cluster/<UTC time>)");
  app.add_flag("-q,--quiet", o.quiet, "No progress lines");
}

void validate_cluster_options(ClusterOptions& o) {
  try {
    o.strategies = parse_strategies(o.strategy_names);
  } catch (const std::invalid_argument& e) {
    throw CLI::ValidationError("--strategy", e.what());
  }
  o.session_bytes.clear();
  for (const std::string& text : o.session_bytes_text) {
    try {
      o.session_bytes.push_back(parse_size(text));
    } catch (const std::invalid_argument& e) {
      throw CLI::ValidationError("--session-bytes", e.what());
    }
  }
  auto duration = [](const std::string& flag, const std::string& text) {
    try {
      return parse_duration(text);
    } catch (const std::invalid_argument& e) {
      throw CLI::ValidationError(flag, e.what());
    }
  };
  o.duration = duration("--duration", o.duration_text);
  o.warmup = duration("--warmup", o.warmup_text);
  o.replay_after = duration("--replay-after", o.replay_after_text);
  if (o.duration <= std::chrono::nanoseconds(0)) {
    throw CLI::ValidationError("--duration", "must be positive");
  }
  FaultPlan f;
  if (o.kill_node >= 0) {
    f.kind = FaultPlan::Kind::kKillNode;
    f.node = o.kill_node;
  } else if (o.pause_node >= 0) {
    f.kind = FaultPlan::Kind::kPauseNode;
    f.node = o.pause_node;
  } else if (o.kill_redis) {
    f.kind = FaultPlan::Kind::kKillRedis;
  }
  if (f.kind == FaultPlan::Kind::kNone) {
    if (!o.at_text.empty() || !o.restart_at_text.empty()) {
      throw CLI::ValidationError("--at",
                                 "--at and --restart-at need a fault (--kill-node, "
                                 "--pause-node or --kill-redis)");
    }
  } else {
    if (o.at_text.empty()) throw CLI::ValidationError("--at", "a fault needs --at");
    const int smallest = *std::min_element(o.node_counts.begin(), o.node_counts.end());
    if (f.node >= smallest) {
      throw CLI::ValidationError(o.kill_node >= 0 ? "--kill-node" : "--pause-node",
                                 "node " + std::to_string(f.node) + " does not exist with " +
                                     std::to_string(smallest) + " nodes (0-based)");
    }
    f.at = duration("--at", o.at_text);
    if (f.at >= o.duration) throw CLI::ValidationError("--at", "must be within --duration");
    if (!o.restart_at_text.empty()) {
      f.restart_at = duration("--restart-at", o.restart_at_text);
      if (f.restart_at <= f.at || f.restart_at >= o.duration) {
        throw CLI::ValidationError("--restart-at", "must be after --at and within --duration");
      }
    }
  }
  o.fault = f;
}

}  // namespace iomb::cluster
