// Implementation of result_json.h (all but result_context, in result_context.cc).
#include "harness/result/result_json.h"

#include <cerrno>
#include <cmath>
#include <fstream>
#include <system_error>

#include "harness/result/aggregates.h"

namespace iomb::harness {
namespace {

double us(int64_t ns) { return static_cast<double>(ns) / 1e3; }

void add_percentiles(nlohmann::json& e, const std::string& prefix, const Histogram& h) {
  e[prefix + "p50_us"] = us(h.percentile(50));
  e[prefix + "p90_us"] = us(h.percentile(90));
  e[prefix + "p99_us"] = us(h.percentile(99));
  e[prefix + "p999_us"] = us(h.percentile(99.9));
  e[prefix + "p9999_us"] = us(h.percentile(99.99));
  e[prefix + "max_us"] = us(h.max());
}

std::string format_rate(double r) {
  char buf[32];
  if (r == std::floor(r)) {
    std::snprintf(buf, sizeof buf, "%.0f", r);
  } else {
    std::snprintf(buf, sizeof buf, "%g", r);
  }
  return buf;
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

// The Google Benchmark fields that are not numbers to aggregate.
bool is_numeric_counter(const std::string& key, const nlohmann::json& v) {
  static const char* kSkip[] = {"family_index", "per_family_instance_index", "repetitions",
                                "repetition_index", "threads"};
  for (const char* s : kSkip) {
    if (key == s) return false;
  }
  return v.is_number();
}

}  // namespace

std::string benchmark_name(const LoadOptions& o, const std::string& model,
                           const std::string& mode) {
  std::string name = std::string(protocol_name(o.protocol)) + "/" + model + ":" + mode +
                     "/c:" + std::to_string(o.connections) + "/d:" + std::to_string(o.pipeline) +
                     "/s:" + std::to_string(o.size);
  if (o.open_loop()) name += "/r:" + format_rate(o.rate);
  if (o.protocol == Protocol::kHttp && o.path != "/") name += "/p:" + o.path.substr(1);
  return name;
}

nlohmann::json iteration_entry(const std::string& name, int repetition_index, int repetitions,
                               const LoadOptions& o, const LoadResult& r,
                               const ServerMeasure* server) {
  const WorkerResult& m = r.merged;
  const double completed = static_cast<double>(m.completed);
  nlohmann::json e;
  e["name"] = name;
  e["family_index"] = 0;
  e["per_family_instance_index"] = 0;
  e["run_name"] = name;
  e["run_type"] = "iteration";
  e["repetitions"] = repetitions;
  e["repetition_index"] = repetition_index;
  e["threads"] = o.threads;
  e["iterations"] = m.completed;
  e["real_time"] = completed > 0 ? r.window_s * 1e9 / completed : 0.0;
  const double client_ns_per_req = completed > 0 ? r.client_cpu_s * 1e9 / completed : 0.0;
  e["cpu_time"] =
      server ? (completed > 0 ? server->cpu_s * 1e9 / completed : 0.0) : client_ns_per_req;
  e["time_unit"] = "ns";
  e["items_per_second"] = r.achieved_rate;
  e["bytes_per_second"] = r.window_s > 0 ? static_cast<double>(m.bytes_received) / r.window_s : 0;
  add_percentiles(e, "", m.corrected);
  if (o.open_loop()) add_percentiles(e, "uncorrected_", m.uncorrected);
  e["errors"] = m.errors;
  e["client_cpu_util"] = r.client_cpu_util;
  e["client_cpu_ns_per_req"] = client_ns_per_req;
  e["offered_rate"] = r.offered_rate;
  e["achieved_rate"] = r.achieved_rate;
  if (o.protocol == Protocol::kHttp) {
    const ProtocolCounters& pc = m.protocol;
    e["non_2xx"] = pc.non_2xx;
    e["server_closes"] = pc.server_closes;
    e["requests_resent"] = pc.requests_resent;
    if (o.path == "/session") {
      e["sessions_created"] = pc.sessions_created;
      e["sessions_lost"] = pc.sessions_lost;
      e["sessions_stale"] = pc.sessions_stale;
      e["sessions_skipped"] = pc.sessions_skipped;
    }
  }
  nlohmann::json iomb{
      {"valid", r.ok && !r.invalid},
      {"saturated", r.saturated},
      {"client_bound", r.client_bound},
      {"starved", r.starved},
      {"starved_connections", m.starved_connections},
      {"oldest_outstanding_us", static_cast<double>(m.oldest_outstanding_ns) / 1e3},
      {"client_io", r.client_io},
      {"client_cores", r.client_cores},
      {"window_s", r.window_s},
      {"cpu_time_source", server ? "server" : "client"},
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
        {"connections_opened", m.connections_opened}}},
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
        {"seed", o.seed}}}};
  if (o.open_loop()) iomb["uncorrected_histogram"] = m.uncorrected.encode();
  if (!r.error.empty()) iomb["error"] = r.error;
  if (server) {
    e["server_rss_kib"] = server->rss_peak_kib;
    e["server_threads"] = server->threads;
    e["ctx_switches_per_req"] =
        completed > 0 ? static_cast<double>(server->ctx_switches) / completed : 0.0;
    if (server->syscalls_per_req) e["syscalls_per_req"] = *server->syscalls_per_req;
    if (server->floor_ns && *server->floor_ns > 0 && completed > 0) {
      e["cpu_floor_ratio"] = e["cpu_time"].get<double>() / *server->floor_ns;
    }
    iomb["server"] = {{"cpu_s", server->cpu_s},
                      {"user_s", server->user_s},
                      {"sys_s", server->sys_s},
                      {"series", server->series},
                      {"stopped", server->stopped}};
  }
  e["iomb"] = std::move(iomb);
  return e;
}

nlohmann::json error_entry(const std::string& name, int repetition_index, int repetitions,
                           const std::string& message) {
  return {{"name", name},
          {"family_index", 0},
          {"per_family_instance_index", 0},
          {"run_name", name},
          {"run_type", "iteration"},
          {"repetitions", repetitions},
          {"repetition_index", repetition_index},
          {"threads", 1},
          {"error_occurred", true},
          {"error_message", message},
          {"iterations", 0},
          {"real_time", 0.0},
          {"cpu_time", 0.0},
          {"time_unit", "ns"}};
}

std::vector<nlohmann::json> aggregate_entries(const std::string& name,
                                              const std::vector<nlohmann::json>& iterations) {
  std::vector<const nlohmann::json*> good;
  for (const auto& it : iterations) {
    if (!it.value("error_occurred", false) && it.contains("iomb") &&
        it["iomb"].value("valid", false)) {
      good.push_back(&it);
    }
  }
  if (good.empty()) return {};
  std::vector<std::string> keys;
  for (const auto& [key, value] : good.front()->items()) {
    if (is_numeric_counter(key, value)) keys.push_back(key);
  }
  std::vector<nlohmann::json> out;
  for (const char* kind : {"mean", "median", "stddev", "cv"}) {
    nlohmann::json e{{"name", name + "_" + kind},
                     {"family_index", 0},
                     {"per_family_instance_index", 0},
                     {"run_name", name},
                     {"run_type", "aggregate"},
                     {"repetitions", static_cast<int>(iterations.size())},
                     {"threads", good.front()->value("threads", 1)},
                     {"aggregate_name", kind},
                     {"aggregate_unit", std::string(kind) == "cv" ? "percentage" : "time"},
                     {"time_unit", "ns"}};
    for (const auto& key : keys) {
      std::vector<double> values;
      for (const auto* it : good) {
        if (it->contains(key) && (*it)[key].is_number()) values.push_back((*it)[key].get<double>());
      }
      Aggregates a = aggregate(values);
      double v = kind[0] == 'm' ? (kind[1] == 'e' && kind[2] == 'a' ? a.mean : a.median)
                                : (kind[0] == 's' ? a.stddev : a.cv);
      e[key] = v;
    }
    e["iterations"] = static_cast<int>(good.size());  // as Google Benchmark: the runs aggregated
    out.push_back(std::move(e));
  }
  return out;
}

void write_result_file(const std::string& path, const nlohmann::json& context,
                       const std::vector<nlohmann::json>& benchmarks) {
  nlohmann::json doc{{"context", context}, {"benchmarks", benchmarks}};
  std::ofstream out(path);
  if (!out) throw std::system_error(errno, std::generic_category(), "open " + path);
  out << doc.dump(2) << "\n";
  out.flush();
  if (!out) throw std::system_error(EIO, std::generic_category(), "write " + path);
}

}  // namespace iomb::harness
