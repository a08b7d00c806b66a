// A result file's measures (result/benchmark_measures.h) in the formats CI dashboards read:
// Bencher Metric Format (https://bencher.dev/docs/reference/bencher-metric-format/) and
// github-action-benchmark's `customSmallerIsBetter` / `customBiggerIsBetter` tools. Every value
// is the median over the benchmark's repetitions. Pure functions; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/result/benchmark_measures.h"

namespace iomb::exports {

// {benchmark name: {measure key: {value: median, lower_value: min, upper_value: max}}} with
// every measure the rows carry (throughput, bytes/s, latency percentiles corrected and
// uncorrected, server and client CPU per request, syscalls and context switches per request,
// errors, RSS, ...). Bencher makes a Measure of each key it does not know yet.
nlohmann::json bencher_metric_format(const std::vector<result::BenchmarkMeasures>& benchmarks);

enum class GabTool {
  kSmallerIsBetter,  // customSmallerIsBetter: latency, CPU per request, syscalls, errors, RSS...
  kBiggerIsBetter,   // customBiggerIsBetter: throughput, bytes per second
};

// [{name: "<benchmark> <measure key>", unit, value: median, range: "± d", extra}], one entry
// per measure of that direction; d is the largest distance of a repetition from the median
// (present with 2+ repetitions), extra says "median of N repetitions, min A, max B".
nlohmann::json github_action_benchmark_format(
    const std::vector<result::BenchmarkMeasures>& benchmarks, GabTool tool);

}  // namespace iomb::exports
