// The load side's half of the result record (DESIGN §4.3): one run's LoadOptions, LoadResult
// and, under `iomb run`, what was measured on the server, turned into a result entry. Lives
// here so that harness/result stays a leaf that knows nothing of the load generator. Main
// thread only.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

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

// The BenchmarkName of one load: "<protocol>/<model>:<mode>/c:/d:/s:[/r:][/p:]".
std::string benchmark_name(const LoadOptions& o, const std::string& model, const std::string& mode);

// One run_type=iteration entry.
nlohmann::json iteration_entry(const std::string& name, int repetition_index, int repetitions,
                               const LoadOptions& o, const LoadResult& r,
                               const ServerMeasure* server);

}  // namespace iomb::harness
