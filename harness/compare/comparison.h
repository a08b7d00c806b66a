// `iomb compare BASE NEW` (DESIGN §4.5): per benchmark present in both files, the change of
// throughput, p99 and CPU per request between the medians of the repetitions, a two-sided
// Mann–Whitney U test per metric, and a verdict. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/compare/result_file.h"

namespace iomb::compare {

struct CompareOptions {
  double threshold = 0.05;  // relative change that matters (0.05 = 5 %)
  double alpha = 0.05;      // significance level of the U test
};

// "5%" -> 0.05, "0.05" -> 0.05, "5" -> 0.05 (a bare number above 1 is a percentage). Throws
// std::invalid_argument for anything else or a value outside (0, 1).
double parse_fraction(std::string_view text);

enum class Verdict { kNoChange, kImproved, kRegressed, kInsufficientData };
// "no change", "improved", "regressed", "insufficient data".
const char* verdict_name(Verdict verdict);

struct MetricComparison {
  std::string metric;  // "throughput", "p99", "cpu/req"
  bool higher_is_better = false;
  size_t base_n = 0, new_n = 0;
  double base_median = 0, new_median = 0;
  double change = 0;   // (new - base) / base; NaN when base is 0
  double p_value = 1;  // two-sided Mann–Whitney U over the repetitions
  Verdict verdict = Verdict::kNoChange;
};

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

Comparison compare_results(const ResultFile& base, const ResultFile& next,
                           const CompareOptions& options);

// Whether any benchmark regressed significantly (the CI gate: `iomb compare` exits 1).
bool has_significant_regression(const Comparison& comparison);

}  // namespace iomb::compare
