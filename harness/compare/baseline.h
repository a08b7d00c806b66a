// A gate's baseline from A/A runs (DESIGN §4.5): given several result files of one matrix on one
// build and machine, measure per benchmark how far each count per request (syscalls, context
// switches) spreads between the runs, and keep only the counts whose spread is well inside the
// tolerance the gate will judge them by. The baseline is a result file (Google Benchmark's shape)
// holding those counts' medians, with context.gate saying what is gated, with which tolerance,
// and what was left out and why. Pure functions; any thread.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/compare/result_file.h"

namespace iomb::compare {

struct BaselineOptions {
  // The gate's tolerance per count metric (kSyscallsMetric, kCtxSwitchesMetric).
  std::map<std::string, double> tolerance;
  // A count is gated on a benchmark only when its A/A spread ((max - min) / min of the runs'
  // medians) is at most this fraction of the tolerance.
  double max_spread_of_tolerance = 0.5;
};

struct CountSpread {
  std::string benchmark, metric;
  double median = 0;  // over every sample of every run
  double spread = 0;  // (max - min) / min of the per-run medians
  bool gated = false;
  std::string why_not;  // when not gated
};

struct Baseline {
  std::vector<CountSpread> counts;  // every (benchmark, metric) seen, gated or not
  nlohmann::json document;          // the baseline result file
};

// Throws std::invalid_argument for fewer than two runs or no tolerance.
Baseline make_baseline(const std::vector<ResultFile>& runs, const BaselineOptions& options);

}  // namespace iomb::compare
