// Every number a result file's rows carry, per benchmark, as values over its repetitions: the
// one table of measures (key, unit, which direction is better) that `iomb history` and
// `iomb export` read, so a counter added to ResultEntry is one more line of the table in
// benchmark_measures.cc. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/result/result_file.h"

namespace iomb::result {

enum class Better { kHigher, kLower, kNeither };

struct Measure {
  const char* key;    // stable name in exports: "throughput", "p99_us", "cpu_ns_per_req"
  const char* label;  // short name in tables: "throughput", "p99", "cpu/req"
  const char* unit;   // "req/s", "us", "ns/req", ...
  Better better;
  bool tracked;  // one of the metrics `iomb history` looks for change points in
};

// In the order tables and exports list them: throughput first, then latency, cost, errors.
const std::vector<Measure>& all_measures();
// nullptr when no measure has this key.
const Measure* find_measure(const std::string& key);

struct MeasureValues {
  const Measure* measure;
  std::vector<double> values;  // one per repetition, in the file's order
};

struct BenchmarkMeasures {
  std::string name;                     // run_name when present (repetitions share it), else name
  std::vector<MeasureValues> measures;  // the measures the rows carry, in all_measures() order
  bool from_aggregate = false;  // no usable iteration rows: one value from the median/mean row

  // nullptr when the rows do not carry `key`.
  const MeasureValues* find(const std::string& key) const;
};

// Rows with error_occurred, skipped or valid == false are left out (their numbers measure
// nothing). Throws std::runtime_error naming `source` for a row with an unknown time_unit.
std::vector<BenchmarkMeasures> benchmark_measures(const ResultDocument& doc,
                                                  const std::string& source);

// The median of `values` (not empty).
double median_of(std::vector<double> values);

}  // namespace iomb::result
