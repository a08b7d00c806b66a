// The result file (DESIGN §4.3): Google Benchmark's JSON schema, so compare.py, bencher's
// cpp_google adapter and github-action-benchmark read it unchanged. One entry per measured run
// (run_type iteration) plus mean/median/stddev/cv aggregates, counters as flat numbers, and
// an `iomb` object with the encoded histograms and per-second series. Main thread only.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/load/load_options.h"
#include "harness/load/load_result.h"

namespace iomb::harness {

// What the orchestrator measured on the server during one run's window (iomb run only).
struct ServerMeasure {
  double cpu_s = 0;  // user + sys
  double user_s = 0;
  double sys_s = 0;
  long rss_peak_kib = 0;
  int threads = 0;
  uint64_t ctx_switches = 0;  // voluntary + involuntary
  std::optional<double> syscalls_per_req;
  std::optional<double> floor_ns;  // recv+send floor the CPU per request is compared with
  nlohmann::json series = nlohmann::json::array();    // [{t_s, cpu_util, rss_kib}]
  nlohmann::json stopped = nlohmann::json::object();  // the server's stopped line
};

// "<protocol>/<model>:<mode>/c:<conns>/d:<depth>/s:<size>[/r:<rate>]"
std::string benchmark_name(const LoadOptions& o, const std::string& model, const std::string& mode);

// One run_type=iteration entry.
nlohmann::json iteration_entry(const std::string& name, int repetition_index, int repetitions,
                               const LoadOptions& o, const LoadResult& r,
                               const ServerMeasure* server);

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

// Writes {"context":..., "benchmarks":[...]} to `path` (pretty-printed). Throws
// std::system_error when the file cannot be written.
void write_result_file(const std::string& path, const nlohmann::json& context,
                       const std::vector<nlohmann::json>& benchmarks);

}  // namespace iomb::harness
