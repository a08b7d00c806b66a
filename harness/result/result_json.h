// The result file (DESIGN §4.3): Google Benchmark's JSON schema, so compare.py, bencher's
// cpp_google adapter and github-action-benchmark read it unchanged. One entry per measured run
// (run_type iteration) plus mean/median/stddev/cv aggregates, counters as flat numbers, and
// an `iomb` object with the encoded histograms and per-second series. Iteration entries are
// built on the load side (harness/load/load_entry.h). Main thread only.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace iomb::result {

// An entry for a run that produced no numbers (skipped model, failed start), in Google
// Benchmark's error form (error_occurred/error_message).
nlohmann::json error_entry(const std::string& name, int repetition_index, int repetitions,
                           const std::string& message);

// mean, median, stddev, cv over the numeric fields of the successful iteration entries.
std::vector<nlohmann::json> aggregate_entries(const std::string& name,
                                              const std::vector<nlohmann::json>& iterations);

// Google Benchmark's own context keys plus ours: system_context() where harness/sampling is
// built, the command line and `extra` (CPU pinning, floor...).
nlohmann::json result_context(int argc, char** argv, const nlohmann::json& extra);

// The UTC time as "20261207T221553Z": the name of a new results directory.
std::string utc_stamp();

// Writes {"context":..., "benchmarks":[...]} to `path` (pretty-printed). Throws
// std::system_error when the file cannot be written.
void write_result_file(const std::string& path, const nlohmann::json& context,
                       const std::vector<nlohmann::json>& benchmarks);

}  // namespace iomb::result
