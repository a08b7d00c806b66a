// run_load(): one load run (DESIGN §4.1). Starts --threads load threads, each with its own
// connections, IO loop and histograms; waits until every connection is up; starts them on one
// common t0; calls the hooks at the edges of the measured window (the orchestrator samples the
// server there); shows progress; joins the threads and merges their results.
// Called from the main thread; blocks for the whole run (bounded by the flags' durations).
#pragma once

#include <functional>

#include "harness/load/load_options.h"
#include "harness/load/load_result.h"

namespace iomb::harness {

struct LoadHooks {
  std::function<void()> on_measure_start;  // both called on the calling thread, in pairs
  std::function<void()> on_measure_end;
};

LoadResult run_load(const LoadOptions& options, const LoadHooks& hooks = {});

// The backend --client-io selects here ("uring" or "epoll"); "" with *why set if none.
std::string resolve_client_io(ClientIo requested, std::string* why);

}  // namespace iomb::harness
