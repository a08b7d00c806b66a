// Implementation of record_parser.h.
#include "harness/report/record_parser.h"

#include <algorithm>
#include <cmath>

#include "harness/report/floor_lookup.h"

namespace iomb::report {
namespace {

using nlohmann::json;

// Counters copied as they are (DESIGN §4.3 names).
constexpr std::pair<const char*, std::optional<double> RunRecord::*> kCounters[] = {
    {"p50_us", &RunRecord::p50_us},
    {"p90_us", &RunRecord::p90_us},
    {"p99_us", &RunRecord::p99_us},
    {"p999_us", &RunRecord::p999_us},
    {"p9999_us", &RunRecord::p9999_us},
    {"max_us", &RunRecord::max_us},
    {"uncorrected_p50_us", &RunRecord::uncorrected_p50_us},
    {"uncorrected_p99_us", &RunRecord::uncorrected_p99_us},
    {"uncorrected_p999_us", &RunRecord::uncorrected_p999_us},
    {"server_rss_kib", &RunRecord::rss_kib},
    {"server_threads", &RunRecord::server_threads},
    {"ctx_switches_per_req", &RunRecord::ctx_switches_per_req},
    {"syscalls_per_req", &RunRecord::syscalls_per_req},
    {"client_cpu_util", &RunRecord::client_cpu_util},
    {"offered_rate", &RunRecord::offered_rate},
    {"achieved_rate", &RunRecord::achieved_rate},
    {"errors", &RunRecord::errors},
};

const json& iomb_object(const json& entry) {
  static const json kEmpty = json::object();
  auto it = entry.find("iomb");
  return it != entry.end() && it->is_object() ? *it : kEmpty;
}

std::optional<double> number(const json& entry, const char* key) {
  auto it = entry.find(key);
  if (it == entry.end() || !it->is_number()) return std::nullopt;
  double v = it->get<double>();
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

// A flag set on the entry itself or in its iomb object, as a boolean or a nonzero number.
bool flag(const json& entry, const char* key) {
  for (const json* where : {&entry, &iomb_object(entry)}) {
    auto it = where->find(key);
    if (it == where->end()) continue;
    if (it->is_boolean()) return it->get<bool>();
    if (it->is_number()) return it->get<double>() != 0;
  }
  return false;
}

std::string text(const json& entry, const char* key) {
  for (const json* where : {&entry, &iomb_object(entry)}) {
    auto it = where->find(key);
    if (it != where->end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

double ns_per_unit(const json& entry) {
  std::string unit = entry.value("time_unit", "ns");
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return 1;
}

std::string run_name(const json& entry, const std::string& aggregate_name) {
  if (entry.contains("run_name") && entry["run_name"].is_string()) {
    return entry["run_name"].get<std::string>();
  }
  std::string name = entry.value("name", "");
  std::string suffix = "_" + aggregate_name;
  if (!aggregate_name.empty() && name.size() > suffix.size() && name.ends_with(suffix)) {
    name.resize(name.size() - suffix.size());
  }
  return name;
}

// [[p, value_us], ...] with p in percent (or as a fraction ≤ 1); p ≥ 100 has no place on a
// 1/(1-p) axis and is dropped.
std::vector<std::pair<double, double>> percentile_array(const json& list) {
  std::vector<std::pair<double, double>> out;
  if (!list.is_array()) return out;
  bool fractions = true;
  for (const auto& pair : list) {
    if (pair.is_array() && pair.size() == 2 && pair[0].is_number() && pair[0].get<double>() > 1) {
      fractions = false;
    }
  }
  for (const auto& pair : list) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_number()) {
      continue;
    }
    double p = pair[0].get<double>() * (fractions ? 100 : 1);
    double v = pair[1].get<double>();
    if (p >= 0 && p < 100 && std::isfinite(v)) out.emplace_back(p, v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<double, double>> percentiles(const json& entry, const RunRecord& r) {
  for (const json* where : {&iomb_object(entry), &entry}) {
    if (where->contains("percentiles")) {
      auto list = percentile_array((*where)["percentiles"]);
      if (!list.empty()) return list;
    }
  }
  std::vector<std::pair<double, double>> out;
  const std::pair<double, const std::optional<double>*> counters[] = {
      {50, &r.p50_us}, {90, &r.p90_us}, {99, &r.p99_us}, {99.9, &r.p999_us}, {99.99, &r.p9999_us}};
  for (const auto& [p, value] : counters) {
    if (value->has_value()) out.emplace_back(p, **value);
  }
  return out;
}

}  // namespace

std::optional<RunRecord> parse_run_record(const json& entry, const json& context,
                                          std::string* why) {
  if (!entry.is_object()) {
    *why = "a benchmarks[] entry is not an object";
    return std::nullopt;
  }
  RunRecord r;
  r.aggregate = entry.value("run_type", "iteration") == "aggregate";
  if (r.aggregate) r.aggregate_name = entry.value("aggregate_name", "");
  r.name = run_name(entry, r.aggregate_name);
  auto key = parse_benchmark_name(r.name);
  if (!key) {
    *why = "benchmark name \"" + r.name + "\" is not <protocol>/<model>:<mode>/c:N/d:N/s:N[/r:R]";
    return std::nullopt;
  }
  r.key = *key;
  if (auto rep = number(entry, "repetition_index")) r.repetition_index = static_cast<int>(*rep);

  r.skipped = flag(entry, "skipped");
  r.skip_reason = text(entry, "skip_reason");
  r.saturated = flag(entry, "saturated");
  r.client_bound = flag(entry, "client_bound");
  r.starved = flag(entry, "starved");
  const json& iomb = iomb_object(entry);
  if (flag(entry, "error_occurred")) {
    r.failed = true;
    r.error_message = text(entry, "error_message");
  }
  if (iomb.contains("valid") && iomb["valid"].is_boolean() && !iomb["valid"].get<bool>()) {
    r.failed = true;
    if (r.error_message.empty()) r.error_message = text(entry, "error");
  }
  if (r.skipped || r.failed) return r;

  const double unit = ns_per_unit(entry);
  r.requests_per_s = number(entry, "items_per_second");
  if (!r.requests_per_s) r.requests_per_s = number(entry, "achieved_rate");
  if (auto real = number(entry, "real_time"); !r.requests_per_s && real && *real > 0) {
    r.requests_per_s = 1e9 / (*real * unit);
  }
  for (const auto& [name, field] : kCounters) r.*field = number(entry, name);
  // `iomb load` without a server writes the client's CPU into cpu_time and says so.
  if (iomb.value("cpu_time_source", "server") == "server") {
    auto cpu = number(entry, "cpu_time");
    if (cpu && *cpu > 0) r.server_cpu_ns_per_req = *cpu * unit;
  }
  r.floor_ns = floor_for_size(context, r.key.size);
  auto ratio = number(entry, "cpu_floor_ratio");
  if (!r.floor_ns && ratio && *ratio > 0 && r.server_cpu_ns_per_req) {
    r.floor_ns = *r.server_cpu_ns_per_req / *ratio;
  }
  r.percentiles = percentiles(entry, r);
  return r;
}

}  // namespace iomb::report
