// Implementation of record_parser.h.
#include "harness/report/record_parser.h"

#include <algorithm>
#include <cmath>

#include "harness/result/floor_lookup.h"
#include "harness/result/result_entry.h"

namespace iomb::report {
namespace {

using nlohmann::json;

// Counters copied as they are from the typed entry (DESIGN §4.3 names).
constexpr std::pair<std::optional<double> result::ResultEntry::*,
                    std::optional<double> RunRecord::*>
    kCounters[] = {
        {&result::ResultEntry::p50_us, &RunRecord::p50_us},
        {&result::ResultEntry::p90_us, &RunRecord::p90_us},
        {&result::ResultEntry::p99_us, &RunRecord::p99_us},
        {&result::ResultEntry::p999_us, &RunRecord::p999_us},
        {&result::ResultEntry::p9999_us, &RunRecord::p9999_us},
        {&result::ResultEntry::max_us, &RunRecord::max_us},
        {&result::ResultEntry::uncorrected_p50_us, &RunRecord::uncorrected_p50_us},
        {&result::ResultEntry::uncorrected_p99_us, &RunRecord::uncorrected_p99_us},
        {&result::ResultEntry::uncorrected_p999_us, &RunRecord::uncorrected_p999_us},
        {&result::ResultEntry::server_rss_kib, &RunRecord::rss_kib},
        {&result::ResultEntry::server_threads, &RunRecord::server_threads},
        {&result::ResultEntry::ctx_switches_per_req, &RunRecord::ctx_switches_per_req},
        {&result::ResultEntry::syscalls_per_req, &RunRecord::syscalls_per_req},
        {&result::ResultEntry::client_cpu_util, &RunRecord::client_cpu_util},
        {&result::ResultEntry::offered_rate, &RunRecord::offered_rate},
        {&result::ResultEntry::achieved_rate, &RunRecord::achieved_rate},
        {&result::ResultEntry::errors, &RunRecord::errors},
};

// A counter as the report uses it: absent unless finite.
std::optional<double> finite(std::optional<double> v) {
  return v && std::isfinite(*v) ? v : std::nullopt;
}

const json& iomb_object(const json& entry) {
  static const json kEmpty = json::object();
  auto it = entry.find("iomb");
  return it != entry.end() && it->is_object() ? *it : kEmpty;
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

double ns_per_unit(const result::ResultEntry& entry) {
  const std::string unit = entry.time_unit.value_or("ns");
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return 1;
}

std::string run_name(const result::ResultEntry& entry, const std::string& aggregate_name) {
  if (entry.run_name) return *entry.run_name;
  std::string name = entry.name;
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
  const result::ResultEntry e = *result::ResultEntry::from_json(entry);
  RunRecord r;
  r.aggregate = e.aggregate();
  if (r.aggregate) r.aggregate_name = e.aggregate_name.value_or("");
  r.name = run_name(e, r.aggregate_name);
  auto key = result::BenchmarkName::parse(r.name);
  if (!key) {
    *why = "benchmark name \"" + r.name + "\" is not <protocol>/<model>:<mode>/c:N/d:N/s:N[/r:R]";
    return std::nullopt;
  }
  r.key = *key;
  if (e.repetition_index) r.repetition_index = *e.repetition_index;

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

  const double unit = ns_per_unit(e);
  r.requests_per_s = finite(e.items_per_second);
  if (!r.requests_per_s) r.requests_per_s = finite(e.achieved_rate);
  if (auto real = finite(e.real_time); !r.requests_per_s && real && *real > 0) {
    r.requests_per_s = 1e9 / (*real * unit);
  }
  for (const auto& [from, to] : kCounters) r.*to = finite(e.*from);
  // `iomb load` without a server writes the client's CPU into cpu_time and says so.
  if (iomb.value("cpu_time_source", "server") == "server") {
    auto cpu = finite(e.cpu_time);
    if (cpu && *cpu > 0) r.server_cpu_ns_per_req = *cpu * unit;
  }
  r.floor_ns = result::floor_for_size(context, r.key.size);
  auto ratio = finite(e.cpu_floor_ratio);
  if (!r.floor_ns && ratio && *ratio > 0 && r.server_cpu_ns_per_req) {
    r.floor_ns = *r.server_cpu_ns_per_req / *ratio;
  }
  r.percentiles = percentiles(entry, r);
  return r;
}

}  // namespace iomb::report
