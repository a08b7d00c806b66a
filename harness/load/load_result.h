// LoadResult: one measured load run after the load threads' results are merged, plus the
// derived numbers every report uses (rates over the measured window, client CPU, saturation).
// Built by run_load() on the main thread; plain data afterwards.
#pragma once

#include <cstdint>
#include <string>

#include "harness/load/load_options.h"
#include "harness/load/worker_result.h"

namespace iomb::harness {

struct LoadResult {
  bool ok = false;        // the run completed (no fatal error)
  bool invalid = false;   // a reply failed verification: no number of this run may be used
  std::string error;      // why not ok
  std::string client_io;  // "uring" or "epoll"
  WorkerResult merged;
  double window_s = 0;  // the measured window, by the clock
  double client_cpu_s = 0;
  int client_cores = 1;        // CPUs the client could use (affinity, capped by --threads)
  double client_cpu_util = 0;  // client_cpu_s / (window_s * client_cores)
  bool client_bound = false;   // above 90 % of its cores: the client may be the bottleneck
  double offered_rate = 0;     // open loop only
  double achieved_rate = 0;    // completed replies per second of the window
  bool saturated = false;      // open loop: achieved below 95 % of offered
  bool starved = false;        // some connections got no reply in the whole window
  double error_rate = 0;       // measured errors / (completed + errors)

  // Fills window_s, rates and flags from `merged` and the CPU numbers.
  void derive(const LoadOptions& options);
  // Fails an otherwise good run whose error_rate is past --max-error-rate (after derive()).
  void apply_error_limit(const LoadOptions& options);
  // One-paragraph human summary for stderr.
  std::string summary(const LoadOptions& options) const;
};

}  // namespace iomb::harness
