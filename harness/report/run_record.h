// One Google Benchmark entry of a result file, digested: the parsed name, the flags the harness
// sets and the counters the report shows (missing ones stay empty). Plain data; any thread.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/result/benchmark_name.h"

namespace iomb::report {

struct RunRecord {
  std::string name;  // run_name (without an aggregate suffix)
  result::BenchmarkName key;
  std::string source_file;
  int context_index = 0;  // into LoadedResults::contexts

  bool aggregate = false;      // run_type "aggregate"
  std::string aggregate_name;  // mean, median, stddev, cv
  int repetition_index = -1;

  bool skipped = false;  // the model did not run (not built, unavailable...)
  std::string skip_reason;
  bool failed = false;  // error_occurred, or iomb.valid == false
  std::string error_message;
  bool saturated = false;     // open loop below 95 % of offered, or marked so by the harness
  bool client_bound = false;  // the load generator used > 90 % of its cores
  bool starved = false;       // some connections got no reply in the whole measured window

  std::optional<double> requests_per_s;
  std::optional<double> p50_us, p90_us, p99_us, p999_us, p9999_us, max_us;
  std::optional<double> uncorrected_p50_us, uncorrected_p99_us, uncorrected_p999_us;
  std::optional<double> server_cpu_ns_per_req;  // cpu_time when it is the server's
  std::optional<double> floor_ns;               // the floor this run compares to
  std::optional<double> rss_kib, server_threads, ctx_switches_per_req, syscalls_per_req;
  std::optional<double> client_cpu_util, offered_rate, achieved_rate, errors;

  // (percentile in [0, 100), latency µs), ascending: from iomb.percentiles or the p* counters.
  std::vector<std::pair<double, double>> percentiles;
};

}  // namespace iomb::report
