// run_wrk: one load run of `iomb run --client wrk`, wrk as the load generator instead of
// iomb's own client (a closed-loop HTTP GET client with no byte verification). wrk inherits
// the calling thread's CPU affinity, so `iomb run` pins it like its own client. Main thread of
// `iomb run`.
#pragma once

#include <string>

#include "harness/load/load_engine.h"
#include "harness/load/load_options.h"
#include "harness/load/load_result.h"
#include "harness/run/wrk_output.h"

namespace iomb::harness {

struct WrkRun {
  bool unavailable = false;  // wrk not installed, or a load wrk cannot generate: a skip
  std::string why;           // the reason when unavailable
  WrkOutput output;
  // The run as the iomb client would report it: counts, window, rates, wrk's CPU as the
  // client CPU. Histograms stay empty; the percentiles are in `output`.
  LoadResult result;
};

// Runs wrk against o.host:o.port/o.path: a warm-up run of o.warmup (not measured), then the
// measured run of o.duration between hooks.on_measure_start and hooks.on_measure_end.
// o.pipeline > 1 sends that many requests per write (a generated Lua script).
WrkRun run_wrk(const LoadOptions& o, const LoadHooks& hooks);

}  // namespace iomb::harness
