// `iomb compare BASE NEW` (DESIGN §4.5): per benchmark present in both files, the change of
// throughput, p99 and CPU per request between the medians of the repetitions, judged by a
// two-sided Mann–Whitney U test, and of the counts per request (syscalls, context switches),
// judged by a stated tolerance; a verdict per metric and per benchmark. Pure functions; any
// thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/compare/result_file.h"

namespace iomb::compare {

// The count metrics: counts per request do not drift with a noisy machine the way times do
// (at 1 connection an A/A pair stays within ~1-2 %), so one sample per side, compared with a
// tolerance, can judge them. Where batching makes them timing-dependent (many connections), a
// baseline leaves them out.
inline constexpr char kSyscallsMetric[] = "syscalls/req";
inline constexpr char kCtxSwitchesMetric[] = "ctx sw/req";

struct CompareOptions {
  double threshold = 0.05;  // relative change that matters (0.05 = 5 %)
  double alpha = 0.05;      // significance level of the U test
  // Largest relative change of a count metric's median that is still "no change", by metric.
  // Only the count metrics named here are compared (from --tolerance or the baseline's
  // context.gate.tolerance): a count is gated only where its A/A spread was measured.
  std::map<std::string, double> count_tolerance;
  bool counts_only = false;  // judge only the count metrics (the CI gate on a shared machine)
};

// "5%" -> 0.05, "0.05" -> 0.05, "5" -> 0.05 (a bare number above 1 is a percentage). Throws
// std::invalid_argument for anything else or a value outside (0, 1).
double parse_fraction(std::string_view text);

// "syscalls/req=5%" -> {"syscalls/req", 0.05}. Throws std::invalid_argument for an unknown
// count or a bad fraction.
std::pair<std::string, double> parse_count_tolerance(std::string_view text);

enum class Verdict { kNoChange, kImproved, kRegressed, kInsufficientData };
// "no change", "improved", "regressed", "insufficient data".
const char* verdict_name(Verdict verdict);

struct MetricComparison {
  std::string metric;  // "throughput", "p99", "cpu/req"
  bool higher_is_better = false;
  size_t base_n = 0, new_n = 0;
  double base_median = 0, new_median = 0;
  double change = 0;     // (new - base) / base; NaN when base is 0
  double p_value = 1;    // two-sided Mann–Whitney U over the repetitions (time metrics)
  double tolerance = 0;  // count metrics: the tolerance that judged it (0 for the U test)
  Verdict verdict = Verdict::kNoChange;
  std::string note;  // why a metric could not be judged, when that is not the repetitions
};

// "U test" or "tolerance 5%": what judged a metric, for the tables.
std::string judged_by(const MetricComparison& metric);

struct BenchmarkComparison {
  std::string name;
  std::vector<MetricComparison> metrics;  // the metrics both files carry for this benchmark
  Verdict verdict = Verdict::kNoChange;   // regressed if any metric regressed, else improved if
                                          // any improved, else insufficient data if all are
};

struct Comparison {
  CompareOptions options;
  std::string base_source, new_source;
  std::vector<BenchmarkComparison> rows;  // in NEW's order
  std::vector<std::string> only_in_base, only_in_new;
};

// A metric is insufficient data when the repetitions cannot reach p < alpha at all
// (min_attainable_p >= alpha: e.g. 3 vs 3 repetitions gives at best p = 0.1); regressed or
// improved when p < alpha and |change| >= threshold; otherwise no change.
MetricComparison compare_metric(const std::string& metric, bool higher_is_better,
                                const std::vector<double>& base, const std::vector<double>& next,
                                const CompareOptions& options);

// A count metric (lower is better): regressed when the new median exceeds the base median by
// more than `tolerance`, improved when it is below by more, else no change; insufficient data
// (with a note) when NEW has no sample of a metric BASE has (e.g. perf could not attach).
MetricComparison compare_count(const std::string& metric, const std::vector<double>& base,
                               const std::vector<double>& next, double tolerance);

Comparison compare_results(const ResultFile& base, const ResultFile& next,
                           const CompareOptions& options);

// Whether any benchmark regressed significantly (the CI gate: `iomb compare` exits 1).
bool has_significant_regression(const Comparison& comparison);

// Whether the comparison left something unjudged that a gate must not pass silently: a metric
// with insufficient data, or a benchmark of BASE missing from NEW (`iomb compare` exits 3).
bool has_unjudged(const Comparison& comparison);

}  // namespace iomb::compare
