// Reading a result file in Google Benchmark's JSON format (iomb's own results, DESIGN §4.3, or
// any Google Benchmark output) into per-benchmark samples, one per repetition, of the metrics
// `iomb compare` looks at, and the gate's tolerances a baseline file states. Pure functions apart
// from the file read; any thread.
#pragma once

#include <map>
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
  // Counts per request (DESIGN §4.5: what a gate can judge on a noisy machine). A matrix counts
  // syscalls in one untimed pass per cell, so every repetition carries the same value.
  std::vector<double> syscalls_per_req;
  std::vector<double> ctx_switches_per_req;  // the server's, from getrusage over the timed run
};

struct ResultFile {
  std::string source;                        // path or description
  std::vector<BenchmarkSamples> benchmarks;  // in the file's order
  // context.gate.tolerance of a baseline: {"syscalls/req": 0.05, ...}, by metric name.
  std::map<std::string, double> count_tolerance;
};

// Throws std::runtime_error naming the source and the problem (not JSON, no benchmarks array,
// a row without a name or with an unknown time_unit). Rows with error_occurred are skipped.
ResultFile parse_result_json(const nlohmann::json& json, const std::string& source);
ResultFile load_result_file(const std::string& path);

}  // namespace iomb::compare
