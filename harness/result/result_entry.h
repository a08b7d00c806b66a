// One benchmarks[] entry of a result file (DESIGN §4.3, Google Benchmark's schema), typed: the
// Google Benchmark fields and the flat counters iomb writes. to_json() is the one writer of
// these keys and from_json() the one lenient reader (missing or mistyped fields stay empty), so
// adding a counter is one line of the table in result_entry.cc. The `iomb` object (histograms,
// series, totals, the load and server details) stays JSON. Plain data; any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace iomb::result {

struct ResultEntry {
  std::string name;
  std::optional<std::string> run_name;
  std::optional<std::string> run_type;  // "iteration" or "aggregate"
  std::optional<int> family_index, per_family_instance_index;
  std::optional<int> repetitions, repetition_index, threads;
  std::optional<int64_t> iterations;
  std::optional<double> real_time, cpu_time;
  std::optional<std::string> time_unit;
  std::optional<std::string> aggregate_name, aggregate_unit;
  std::optional<bool> error_occurred;
  std::optional<std::string> error_message;
  std::optional<bool> skipped;  // the matrix's mark for a model that did not run
  std::optional<std::string> skip_reason;

  // Counters. The ones counting events (errors, non_2xx, sessions_*, server_rss_kib,
  // server_threads) are written as integers in iteration entries and as doubles in aggregates,
  // as Google Benchmark's aggregates do.
  std::optional<double> items_per_second, bytes_per_second;
  std::optional<double> p50_us, p90_us, p99_us, p999_us, p9999_us, max_us;
  std::optional<double> uncorrected_p50_us, uncorrected_p90_us, uncorrected_p99_us,
      uncorrected_p999_us, uncorrected_p9999_us, uncorrected_max_us;
  std::optional<double> errors;
  std::optional<double> client_cpu_util, client_cpu_ns_per_req, offered_rate, achieved_rate;
  std::optional<double> non_2xx, server_closes, requests_resent;
  std::optional<double> sessions_created, sessions_lost, sessions_stale, sessions_skipped;
  std::optional<double> server_rss_kib, server_threads, ctx_switches_per_req, syscalls_per_req;
  std::optional<double> cpu_floor_ratio;

  std::optional<nlohmann::json> iomb;  // the `iomb` object as written

  bool aggregate() const { return run_type == "aggregate"; }
  bool operator==(const ResultEntry&) const = default;

  // An iteration entry without numbers (iterations 0, times 0 ns) for a run that did not
  // measure: the caller sets error_* or skipped/skip_reason.
  static ResultEntry empty_run(const std::string& name, int repetition_index, int repetitions);

  nlohmann::json to_json() const;
  // Lenient: nullopt only when `entry` is not an object; a missing or non-string name reads "".
  static std::optional<ResultEntry> from_json(const nlohmann::json& entry);
};

}  // namespace iomb::result
