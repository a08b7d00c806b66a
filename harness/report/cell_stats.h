// One cell of the report: every repetition of one benchmark (same name) reduced to the median
// of each metric, with min–max for throughput and the count of flagged repetitions. Pure; any
// thread.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/report/run_record.h"

namespace iomb::report {

struct Spread {
  double median = 0;
  double min = 0;
  double max = 0;
};

struct Cell {
  result::BenchmarkName key;
  int repetitions = 0;          // valid iteration entries reduced here
  bool from_aggregate = false;  // no iterations: values from the median (or mean) aggregate
  int failed = 0;               // repetitions that failed (error_occurred, invalid)
  std::vector<std::string> failure_messages;  // distinct
  bool skipped = false;                       // the model never ran this benchmark
  std::string skip_reason;
  int saturated = 0;     // repetitions flagged saturated
  int client_bound = 0;  // repetitions flagged client-bound
  int starved = 0;       // repetitions where some connections got no reply in the window

  std::optional<Spread> requests_per_s;
  std::optional<double> p50_us, p90_us, p99_us, p999_us, p9999_us, max_us;
  std::optional<double> uncorrected_p99_us;
  std::optional<double> cpu_us_per_req, floor_us;
  std::optional<double> rss_kib, server_threads, ctx_switches_per_req, syscalls_per_req;
  std::optional<double> client_cpu_util, offered_rate, achieved_rate;
  double errors = 0;  // summed over repetitions
  // Of the repetition whose throughput is the median one.
  std::vector<std::pair<double, double>> percentiles;

  bool measured() const { return requests_per_s.has_value(); }
  std::optional<double> floor_ratio() const;
};

// One cell per benchmark name, ordered by protocol, size, depth, closed before open loop,
// rate, model:mode, connections.
std::vector<Cell> build_cells(const std::vector<RunRecord>& records);

double median(std::vector<double> values);  // 0 for an empty list

}  // namespace iomb::report
