// Implementation of load_entry.h.
#include "harness/load/load_entry.h"

#include "harness/result/benchmark_name.h"
#include "harness/result/result_entry.h"

namespace iomb::harness {
namespace {

double us(int64_t ns) { return static_cast<double>(ns) / 1e3; }

using Field = std::optional<double>;

void add_percentiles(const Histogram& h, Field& p50, Field& p90, Field& p99, Field& p999,
                     Field& p9999, Field& max) {
  p50 = us(h.percentile(50));
  p90 = us(h.percentile(90));
  p99 = us(h.percentile(99));
  p999 = us(h.percentile(99.9));
  p9999 = us(h.percentile(99.99));
  max = us(h.max());
}

nlohmann::json series_json(const WorkerResult& m) {
  auto out = nlohmann::json::array();
  double t = 0;
  for (const auto& p : m.series) {
    t += p.duration_s;
    out.push_back({{"t_s", t},
                   {"duration_s", p.duration_s},
                   {"requests", p.completed},
                   {"rate", static_cast<double>(p.completed) / p.duration_s},
                   {"p50_us", us(p.latency.percentile(50))},
                   {"p99_us", us(p.latency.percentile(99))},
                   {"max_us", us(p.latency.max())},
                   {"errors", p.errors}});
  }
  return out;
}

}  // namespace

std::string benchmark_name(const LoadOptions& o, const std::string& model,
                           const std::string& mode) {
  result::BenchmarkName name;
  name.protocol = protocol_name(o.protocol);
  name.model = model;
  name.mode = mode;
  name.connections = o.connections;
  name.depth = o.pipeline;
  name.size = o.size;
  if (o.open_loop()) name.rate = o.rate;
  if (o.protocol == Protocol::kHttp && o.path != "/") name.path = o.path.substr(1);
  return name.format();
}

nlohmann::json iteration_entry(const std::string& name, int repetition_index, int repetitions,
                               const LoadOptions& o, const LoadResult& r,
                               const ServerMeasure* server) {
  const WorkerResult& m = r.merged;
  const double completed = static_cast<double>(m.completed);
  result::ResultEntry e = result::ResultEntry::empty_run(name, repetition_index, repetitions);
  e.threads = o.threads;
  e.iterations = static_cast<int64_t>(m.completed);
  e.real_time = completed > 0 ? r.window_s * 1e9 / completed : 0.0;
  const double client_ns_per_req = completed > 0 ? r.client_cpu_s * 1e9 / completed : 0.0;
  e.cpu_time = server ? (completed > 0 ? server->cpu_s * 1e9 / completed : 0.0) : client_ns_per_req;
  e.items_per_second = r.achieved_rate;
  e.bytes_per_second = r.window_s > 0 ? static_cast<double>(m.bytes_received) / r.window_s : 0;
  add_percentiles(m.corrected, e.p50_us, e.p90_us, e.p99_us, e.p999_us, e.p9999_us, e.max_us);
  if (o.open_loop()) {
    add_percentiles(m.uncorrected, e.uncorrected_p50_us, e.uncorrected_p90_us, e.uncorrected_p99_us,
                    e.uncorrected_p999_us, e.uncorrected_p9999_us, e.uncorrected_max_us);
  }
  e.errors = static_cast<double>(m.errors);
  e.client_cpu_util = r.client_cpu_util;
  e.client_cpu_ns_per_req = client_ns_per_req;
  e.offered_rate = r.offered_rate;
  e.achieved_rate = r.achieved_rate;
  if (o.protocol == Protocol::kHttp) {
    const ProtocolCounters& pc = m.protocol;
    e.non_2xx = static_cast<double>(pc.non_2xx);
    e.server_closes = static_cast<double>(pc.server_closes);
    e.requests_resent = static_cast<double>(pc.requests_resent);
    if (o.path == "/session") {
      e.sessions_created = static_cast<double>(pc.sessions_created);
      e.sessions_lost = static_cast<double>(pc.sessions_lost);
      e.sessions_stale = static_cast<double>(pc.sessions_stale);
      e.sessions_skipped = static_cast<double>(pc.sessions_skipped);
    }
  }
  nlohmann::json iomb{
      {"starved_connections", m.starved_connections},
      {"oldest_outstanding_us", static_cast<double>(m.oldest_outstanding_ns) / 1e3},
      {"client_io", r.client_io},
      {"client_cores", r.client_cores},
      {"error_rate", r.error_rate},
      {"window_s", r.window_s},
      {"latency_origin", o.open_loop() ? "intended send time (corrected)" : "send time"},
      {"histogram", m.corrected.encode()},
      {"series", series_json(m)},
      {"totals",
       {{"issued", m.total_issued},
        {"completed", m.total_completed},
        {"bytes_sent", m.total_bytes_sent},
        {"bytes_received", m.total_bytes_received},
        {"errors", m.total_errors},
        {"unanswered", m.unanswered},
        {"connections_opened", m.connections_opened},
        {"reconnects", m.reconnects}}},
      {"load",
       {{"connections", o.connections},
        {"pipeline", o.pipeline},
        {"size", o.size},
        {"rate", o.rate},
        {"arrival", o.open_loop() ? arrival_name(o.arrival) : "closed-loop"},
        {"churn", o.churn},
        {"path", o.protocol == Protocol::kHttp ? o.path : ""},
        {"threads", o.threads},
        {"duration_s", static_cast<double>(o.duration.count()) / 1e9},
        {"warmup_s", static_cast<double>(o.warmup.count()) / 1e9},
        {"seed", o.seed},
        {"max_error_rate", o.max_error_rate}}}};
  if (o.open_loop()) iomb["uncorrected_histogram"] = m.uncorrected.encode();
  if (!r.error.empty()) iomb["error"] = r.error;
  if (o.protocol == Protocol::kHttp) iomb["interim_1xx"] = m.protocol.interim_1xx;
  if (server) {
    e.server_rss_kib = static_cast<double>(server->rss_peak_kib);
    e.server_threads = server->threads;
    e.ctx_switches_per_req =
        completed > 0 ? static_cast<double>(server->ctx_switches) / completed : 0.0;
    e.syscalls_per_req = server->syscalls_per_req;
    if (server->floor_ns && *server->floor_ns > 0 && completed > 0) {
      e.cpu_floor_ratio = *e.cpu_time / *server->floor_ns;
    }
    iomb["server"] = {{"cpu_s", server->cpu_s},
                      {"user_s", server->user_s},
                      {"sys_s", server->sys_s},
                      {"series", server->series},
                      {"stopped", server->stopped}};
  }
  e.valid = r.ok && !r.invalid;
  e.saturated = r.saturated;
  e.client_bound = r.client_bound;
  e.starved = r.starved;
  e.cpu_time_source = server ? "server" : "client";
  e.iomb = std::move(iomb);
  return e.to_json();
}

}  // namespace iomb::harness
