// The verdicts of `iomb ab`: the runs of the doubled matrix paired (repetition i of a cell's
// base copy with repetition i of its candidate copy, which ran back to back), and per cell and
// metric the ratios candidate/base of the pairs, their median and range, and a one-sided
// Wilcoxon signed-rank test on the log ratios in the direction the median moved. Ratios of runs
// made seconds apart on the same machine cancel most of the drift of a shared runner, which
// comparing two jobs' absolute numbers cannot. Pure functions; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/compare/comparison.h"

namespace iomb::ab {

using compare::Verdict;

struct AbOptions {
  double threshold = 0.05;  // the median ratio must move at least this far from 1
  double alpha = 0.05;      // one-sided significance level
};

struct PairedMetric {
  std::string metric;  // "cpu/req", "throughput", "p99", "syscalls/req", "ctx-switches/req"
  bool higher_is_better = false;
  std::vector<double> ratios;  // candidate / base, one per pair with both values > 0
  double median_ratio = 1, min_ratio = 1, max_ratio = 1;
  size_t worse = 0;  // pairs where the candidate is worse
  // The same value on every run of each side: a count made once per cell and copied (the
  // matrix's syscall pass). Judged on its one ratio against the threshold, without a test.
  bool counted_once = false;
  double p_value = 1;  // one-sided, in the direction of the median ratio; NaN when counted once
  Verdict verdict = Verdict::kNoChange;
  // False for a count made once per side at more than one connection: event batching makes it
  // timing-dependent there (an identical aio binary measured -7 %), so one ratio cannot judge
  // it; shown, with `note`, and left out of the cell's verdict.
  bool judged = true;
  std::string note;
};

struct CellAb {
  std::string name;  // the benchmark name without "@base"/"@candidate"
  size_t pairs = 0;  // repetitions where both sides measured
  size_t base_failed = 0, candidate_failed = 0, skipped = 0;
  size_t unmeasured = 0;  // pairs dropped: a side served nothing or was marked not valid
  std::vector<PairedMetric> metrics;
  Verdict verdict = Verdict::kNoChange;
  std::string note;  // why the verdict is what it is when no metric says so (failures, skips)
};

struct AbComparison {
  AbOptions options;
  std::vector<CellAb> cells;  // in the order the matrix ran them
};

// One metric over pairs (base[i], candidate[i]); a pair with a value <= 0 or non-finite on
// either side is left out.
PairedMetric compare_paired(const std::string& metric, bool higher_is_better,
                            const std::vector<double>& base, const std::vector<double>& candidate,
                            const AbOptions& options);

// Pairs the iteration entries of a doubled matrix's results.json (names with "@base" /
// "@candidate"; aggregates and names without a side ignored) by cell and repetition_index.
// A cell whose candidate failed runs its base did not is regressed; a cell with runs skipped
// or no pairs at all is insufficient data.
AbComparison compare_ab(const std::vector<nlohmann::json>& entries, const AbOptions& options);

// 1 if a cell regressed, else 3 if a cell (or the whole comparison: no cells) has insufficient
// data, else 0.
int ab_exit_code(const AbComparison& comparison);

}  // namespace iomb::ab
