// Implementation of cluster_run.h.
#include "harness/cluster/cluster_run.h"

#include <cmath>
#include <cstdio>
#include <optional>

#include "harness/cluster/cluster_lab.h"
#include "harness/cluster/cookie_replay.h"
#include "harness/cpu/cpu_affinity.h"
#include "harness/load/load_engine.h"
#include "harness/result/result_json.h"
#include "harness/run/server_launcher.h"

namespace iomb::cluster {
namespace {

using nlohmann::json;

double us(int64_t ns) { return static_cast<double>(ns) / 1000.0; }

double per(double amount, uint64_t count) {
  return count ? amount / static_cast<double>(count) : 0.0;
}

// CPU seconds of the processes whose role starts with `prefix`, between two samples; a process
// killed in between counts up to its last sample (its time after that is lost with it).
double cpu_between(const LabSample& a, const LabSample& b, const std::string& prefix) {
  double total = 0;
  for (size_t i = 0; i < a.processes.size() && i < b.processes.size(); ++i) {
    const ProcessSample& pa = a.processes[i];
    const ProcessSample& pb = b.processes[i];
    if (pa.role.rfind(prefix, 0) != 0) continue;
    if (pa.running && pb.running && pa.pid == pb.pid) total += pb.cpu_s - pa.cpu_s;
    if (pa.pid != pb.pid && pb.running) total += pb.cpu_s;  // restarted: its whole life
  }
  return total;
}

json series_json(const harness::WorkerResult& m) {
  json out = json::array();
  double t = 0;
  for (const auto& p : m.series) {
    t += p.duration_s;
    out.push_back({{"t_s", t},
                   {"rate", static_cast<double>(p.completed) / p.duration_s},
                   {"errors", p.errors},
                   {"p50_us", us(p.latency.percentile(50))},
                   {"p99_us", us(p.latency.percentile(99))},
                   {"p999_us", us(p.latency.percentile(99.9))}});
  }
  return out;
}

// From the fault to the end of the last second with errors after it (1 s resolution: the
// series' step); 0 when no error followed the fault.
double error_window_s(const json& series, const std::vector<FaultEvent>& events) {
  if (events.empty()) return 0;
  const double fault_at = events.front().at_s;
  double last_error_end = -1;
  for (const json& p : series) {
    const double end = p["t_s"].get<double>();
    if (end > fault_at && p["errors"].get<uint64_t>() > 0) last_error_end = end;
  }
  return last_error_end < 0 ? 0 : last_error_end - fault_at;
}

}  // namespace

std::string cluster_run_name(const ClusterOptions& o, Strategy strategy, uint64_t session_bytes,
                             int nodes) {
  return "cluster/" + std::string(info(strategy).name) + "/" + o.model +
         "/n:" + std::to_string(nodes) + "/s:" + std::to_string(session_bytes) +
         "/f:" + o.fault.kind_name();
}

json run_cluster_once(const ClusterOptions& o, Strategy strategy, uint64_t session_bytes, int nodes,
                      int repetition_index) {
  const std::string name = cluster_run_name(o, strategy, session_bytes, nodes);
  LabOptions lo;
  lo.strategy = strategy;
  lo.model = o.model;
  lo.nodes = nodes;
  lo.session_bytes = session_bytes;
  lo.node_args = harness::split_args(o.node_args);
  if (!o.server_cpus.empty()) lo.server_cpus = cpu::parse_cpu_list(o.server_cpus);
  lo.check_interval = std::chrono::milliseconds(o.check_interval_ms);
  lo.server_timeout = std::chrono::milliseconds(o.server_timeout_ms);

  std::optional<ClusterLab> lab;
  try {
    lab.emplace(lo);
  } catch (const std::exception& e) {
    return result::error_entry(name, repetition_index, o.repetitions,
                               std::string("the lab did not start: ") + e.what());
  }
  if (!o.quiet) {
    for (const std::string& line : lab->describe()) {
      std::fprintf(stderr, "iomb cluster:   %s\n", line.c_str());
    }
  }

  harness::LoadOptions load;
  load.target = lab->balancer_target();
  load.host = "127.0.0.1";
  load.port = lab->balancer_port();
  load.protocol = Protocol::kHttp;
  load.path = "/session";
  load.connections = o.clients;
  load.rate = o.rate;
  // Independent users: with constant spacing, C clients and N nodes where N divides C, round
  // robin sends every client to the same node each round, and `none` would look sticky.
  load.arrival = harness::Arrival::kPoisson;
  load.duration = o.duration;
  load.warmup = o.warmup;
  load.reconnect = true;
  load.max_error_rate = 1;  // errors are what a fault is measured by, not a failed run
  load.quiet = o.quiet;
  load.seed = static_cast<uint64_t>(repetition_index) + 1;

  FaultRunner faults(o.fault, *lab);
  LabSample before, after;
  harness::LoadHooks hooks;
  hooks.on_measure_start = [&] {
    before = lab->sample();
    faults.start();
  };
  hooks.on_measure_end = [&] {
    faults.end_window();
    after = lab->sample();
  };
  harness::LoadResult r = harness::run_load(load, hooks);
  faults.end_window();
  ReplayOutcome replay;
  if (o.replay && r.ok)
    replay =
        probe_cookie_replay(lab->balancer_port(),
                            std::chrono::duration_cast<std::chrono::milliseconds>(o.replay_after));
  lab->stop();
  faults.stop();
  if (!r.ok) {
    return result::error_entry(name, repetition_index, o.repetitions,
                               "the load run failed: " + r.error);
  }

  const harness::WorkerResult& m = r.merged;
  const uint64_t answered = m.completed + m.errors;  // in the window
  const double nodes_cpu = cpu_between(before, after, "node");
  const double haproxy_cpu = cpu_between(before, after, "haproxy");
  const double redis_cpu = cpu_between(before, after, "redis");
  const json series = series_json(m);
  json unexpected = json::array();
  for (const std::string& why : after.unexpected_exits) {
    std::fprintf(stderr, "iomb cluster: %s\n", why.c_str());
    unexpected.push_back(why);
  }
  json events = json::array();
  for (const FaultEvent& e : faults.events())
    events.push_back({{"at_s", e.at_s}, {"what", e.what}});
  json rss = json::object();
  for (const ProcessSample& p : after.processes) rss[p.role] = p.running ? json(p.rss_kib) : json();
  const harness::ProtocolCounters& s = m.protocol;
  const double client_bytes = per(static_cast<double>(m.total_bytes_sent + m.total_bytes_received),
                                  m.total_completed + m.total_errors);
  const double replication =
      per(static_cast<double>(after.replication_bytes -
                              std::min(after.replication_bytes, before.replication_bytes)),
          answered);
  const double redis_bytes =
      per(static_cast<double>(after.redis_bytes - std::min(after.redis_bytes, before.redis_bytes)),
          answered);

  json e = {
      {"name", name},
      {"run_name", name},
      {"run_type", "iteration"},
      {"repetitions", o.repetitions},
      {"repetition_index", repetition_index},
      {"threads", 1},
      {"iterations", m.completed},
      {"real_time", static_cast<double>(m.corrected.percentile(50))},
      {"cpu_time", per((nodes_cpu + haproxy_cpu + redis_cpu) * 1e9, answered)},
      {"time_unit", "ns"},
      {"items_per_second", r.achieved_rate},
      {"offered_rate", r.offered_rate},
      {"errors", m.errors},
      {"error_rate", r.error_rate},
      {"p50_us", us(m.corrected.percentile(50))},
      {"p99_us", us(m.corrected.percentile(99))},
      {"p999_us", us(m.corrected.percentile(99.9))},
      {"sessions_created", s.sessions_created},
      {"sessions_lost", s.sessions_lost},
      {"sessions_stale", s.sessions_stale},
      {"sessions_skipped", s.sessions_skipped},
      {"error_window_s", error_window_s(series, faults.events())},
      {"client_bytes_per_request", client_bytes},
      {"replication_bytes_per_request", replication},
      {"redis_bytes_per_request", redis_bytes},
      {"cluster_cpu_us_per_request", per((nodes_cpu + haproxy_cpu + redis_cpu) * 1e6, answered)},
      {"nodes_cpu_us_per_request", per(nodes_cpu * 1e6, answered)},
      {"balancer_cpu_us_per_request", per(haproxy_cpu * 1e6, answered)},
      {"redis_cpu_us_per_request", per(redis_cpu * 1e6, answered)},
      {"client_cpu_util", r.client_cpu_util}};
  e["iomb"] = {{"cluster",
                {{"strategy", info(strategy).name},
                 {"description", info(strategy).description},
                 {"model", o.model},
                 {"node_args", o.node_args},
                 {"nodes", nodes},
                 {"session_bytes", session_bytes},
                 {"clients", o.clients},
                 {"rate", o.rate},
                 {"fault", {{"plan", o.fault.describe()}, {"events", events}}},
                 {"saturated", r.saturated},
                 {"client_bound", r.client_bound},
                 {"reconnects", m.reconnects},
                 {"unanswered", m.unanswered},
                 {"non_2xx", s.non_2xx},
                 {"unexpected_exits", unexpected},
                 {"rss_kib", rss},
                 {"replay", replay.ran ? json{{"verdict", replay.verdict},
                                              {"tampered", replay.tampered},
                                              {"visits_before", replay.visits_before},
                                              {"replay_visits", replay.replay_visits}}
                                       : json{{"verdict",
                                               o.replay ? "not run: " + replay.error : "skipped"}}},
                 {"series", series}}}};
  return e;
}

}  // namespace iomb::cluster
