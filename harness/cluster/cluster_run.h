// One run of the cluster lab: one strategy at one session size, with the options' fault.
// Starts the lab, drives /session visits through HAProxy in open loop (every client with its
// own cookie jar, reconnecting after a failure), injects the fault, samples every process at
// the window edges, probes a cookie replay, stops the lab, and returns the result entry
// (Google Benchmark's JSON shape, DESIGN §4.3, with the lab's figures under "iomb").
// Main thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "harness/cluster/cluster_options.h"

namespace iomb::cluster {

// Never throws for a run that failed: the entry then has error_occurred and error_message.
nlohmann::json run_cluster_once(const ClusterOptions& options, Strategy strategy,
                                uint64_t session_bytes, int nodes, int repetition_index);

// "cluster/sticky-cookie/nio/n:3/s:64/f:kill-node"
std::string cluster_run_name(const ClusterOptions& options, Strategy strategy,
                             uint64_t session_bytes, int nodes);

}  // namespace iomb::cluster
