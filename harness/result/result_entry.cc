// Implementation of result_entry.h: one table of the counters, walked by the writer and the
// reader alike.
#include "harness/result/result_entry.h"

#include <cmath>

namespace iomb::result {
namespace {

struct Counter {
  const char* key;
  std::optional<double> ResultEntry::*field;
  bool integer;  // counts events: written as an integer in iteration entries
};

constexpr Counter kCounters[] = {
    {"items_per_second", &ResultEntry::items_per_second, false},
    {"bytes_per_second", &ResultEntry::bytes_per_second, false},
    {"p50_us", &ResultEntry::p50_us, false},
    {"p90_us", &ResultEntry::p90_us, false},
    {"p99_us", &ResultEntry::p99_us, false},
    {"p999_us", &ResultEntry::p999_us, false},
    {"p9999_us", &ResultEntry::p9999_us, false},
    {"max_us", &ResultEntry::max_us, false},
    {"uncorrected_p50_us", &ResultEntry::uncorrected_p50_us, false},
    {"uncorrected_p90_us", &ResultEntry::uncorrected_p90_us, false},
    {"uncorrected_p99_us", &ResultEntry::uncorrected_p99_us, false},
    {"uncorrected_p999_us", &ResultEntry::uncorrected_p999_us, false},
    {"uncorrected_p9999_us", &ResultEntry::uncorrected_p9999_us, false},
    {"uncorrected_max_us", &ResultEntry::uncorrected_max_us, false},
    {"errors", &ResultEntry::errors, true},
    {"client_cpu_util", &ResultEntry::client_cpu_util, false},
    {"client_cpu_ns_per_req", &ResultEntry::client_cpu_ns_per_req, false},
    {"offered_rate", &ResultEntry::offered_rate, false},
    {"achieved_rate", &ResultEntry::achieved_rate, false},
    {"non_2xx", &ResultEntry::non_2xx, true},
    {"server_closes", &ResultEntry::server_closes, true},
    {"requests_resent", &ResultEntry::requests_resent, true},
    {"sessions_created", &ResultEntry::sessions_created, true},
    {"sessions_lost", &ResultEntry::sessions_lost, true},
    {"sessions_stale", &ResultEntry::sessions_stale, true},
    {"sessions_skipped", &ResultEntry::sessions_skipped, true},
    {"server_rss_kib", &ResultEntry::server_rss_kib, true},
    {"server_threads", &ResultEntry::server_threads, true},
    {"ctx_switches_per_req", &ResultEntry::ctx_switches_per_req, false},
    {"syscalls_per_req", &ResultEntry::syscalls_per_req, false},
    {"cpu_floor_ratio", &ResultEntry::cpu_floor_ratio, false},
};

template <typename T>
void put(nlohmann::json& out, const char* key, const std::optional<T>& value) {
  if (value) out[key] = *value;
}

template <typename T>
void get(const nlohmann::json& in, const char* key, std::optional<T>& value) {
  auto it = in.find(key);
  if (it == in.end()) return;
  if constexpr (std::is_same_v<T, bool>) {
    if (it->is_boolean()) value = it->get<bool>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (it->is_string()) value = it->get<std::string>();
  } else {
    if (it->is_number()) value = it->get<T>();
  }
}

}  // namespace

ResultEntry ResultEntry::empty_run(const std::string& name, int repetition_index, int repetitions) {
  ResultEntry e;
  e.name = name;
  e.family_index = 0;
  e.per_family_instance_index = 0;
  e.run_name = name;
  e.run_type = "iteration";
  e.repetitions = repetitions;
  e.repetition_index = repetition_index;
  e.threads = 1;
  e.iterations = 0;
  e.real_time = 0.0;
  e.cpu_time = 0.0;
  e.time_unit = "ns";
  return e;
}

nlohmann::json ResultEntry::to_json() const {
  nlohmann::json e = nlohmann::json::object();
  e["name"] = name;
  put(e, "run_name", run_name);
  put(e, "run_type", run_type);
  put(e, "family_index", family_index);
  put(e, "per_family_instance_index", per_family_instance_index);
  put(e, "repetitions", repetitions);
  put(e, "repetition_index", repetition_index);
  put(e, "threads", threads);
  put(e, "iterations", iterations);
  put(e, "real_time", real_time);
  put(e, "cpu_time", cpu_time);
  put(e, "time_unit", time_unit);
  put(e, "aggregate_name", aggregate_name);
  put(e, "aggregate_unit", aggregate_unit);
  put(e, "error_occurred", error_occurred);
  put(e, "error_message", error_message);
  put(e, "skipped", skipped);
  put(e, "skip_reason", skip_reason);
  const bool as_integers = !aggregate();
  for (const Counter& c : kCounters) {
    const std::optional<double>& v = this->*c.field;
    if (!v) continue;
    if (c.integer && as_integers && *v >= 0 && *v == std::floor(*v)) {
      e[c.key] = static_cast<uint64_t>(*v);
    } else {
      e[c.key] = *v;
    }
  }
  if (iomb) e["iomb"] = *iomb;
  return e;
}

std::optional<ResultEntry> ResultEntry::from_json(const nlohmann::json& in) {
  if (!in.is_object()) return std::nullopt;
  ResultEntry e;
  std::optional<std::string> name;
  get(in, "name", name);
  e.name = name.value_or("");
  get(in, "run_name", e.run_name);
  get(in, "run_type", e.run_type);
  get(in, "family_index", e.family_index);
  get(in, "per_family_instance_index", e.per_family_instance_index);
  get(in, "repetitions", e.repetitions);
  get(in, "repetition_index", e.repetition_index);
  get(in, "threads", e.threads);
  get(in, "iterations", e.iterations);
  get(in, "real_time", e.real_time);
  get(in, "cpu_time", e.cpu_time);
  get(in, "time_unit", e.time_unit);
  get(in, "aggregate_name", e.aggregate_name);
  get(in, "aggregate_unit", e.aggregate_unit);
  get(in, "error_occurred", e.error_occurred);
  get(in, "error_message", e.error_message);
  get(in, "skipped", e.skipped);
  get(in, "skip_reason", e.skip_reason);
  for (const Counter& c : kCounters) get(in, c.key, e.*c.field);
  if (auto it = in.find("iomb"); it != in.end() && it->is_object()) e.iomb = *it;
  return e;
}

}  // namespace iomb::result
