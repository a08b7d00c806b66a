// Reading a result file in Google Benchmark's JSON format (iomb's own results, DESIGN §4.3, or
// any Google Benchmark output) into per-benchmark samples, one per repetition, of the metrics
// `iomb compare` looks at. Pure functions apart from the file read; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace iomb::compare {

struct BenchmarkSamples {
  std::string name;                // run_name when present (repetitions share it), else name
  std::vector<double> throughput;  // items_per_second, else iterations per wall second
  std::vector<double> p99_us;      // the p99_us counter (empty when the rows lack it)
  std::vector<double> cpu_ns;      // cpu_time in ns (for iomb: server CPU per request)
  bool from_aggregate = false;     // no per-repetition rows: one sample from the median/mean row
};

struct ResultFile {
  std::string source;                        // path or description
  std::vector<BenchmarkSamples> benchmarks;  // in the file's order
};

// Throws std::runtime_error naming the source and the problem (not JSON, no benchmarks array,
// a row without a name or with an unknown time_unit). Rows with error_occurred are skipped.
ResultFile parse_result_json(const nlohmann::json& json, const std::string& source);
ResultFile load_result_file(const std::string& path);

}  // namespace iomb::compare
