// WorkerResult: what one load thread measured (histograms, counts, its measured window, the
// per-second series); merged by the engine after the threads have joined.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/load/client_protocol.h"
#include "harness/load/histogram.h"

namespace iomb::harness {

struct SeriesPoint {
  double duration_s = 1.0;  // the last point of a window may be a partial second
  uint64_t completed = 0;
  uint64_t bytes = 0;
  uint64_t errors = 0;
  Histogram latency{2};  // 2 significant digits is plenty for a per-second p99
};

struct WorkerResult {
  Histogram corrected;     // open loop: from the intended send time; closed loop: from the send
  Histogram uncorrected;   // open loop only: from the actual send
  uint64_t completed = 0;  // in the measured window
  uint64_t bytes_received = 0;  // in the measured window
  uint64_t errors = 0;          // in the measured window
  int64_t window_start_ns = 0;
  int64_t window_end_ns = 0;
  // Whole run (warm-up and drain included), to reconcile with the server's own counters.
  uint64_t total_issued = 0;
  uint64_t total_completed = 0;
  uint64_t total_bytes_sent = 0;
  uint64_t total_bytes_received = 0;
  uint64_t total_errors = 0;
  uint64_t unanswered = 0;  // requests still without a reply when the run ended
  // Connections that waited through the whole measured window without a reply (a request
  // outstanding since before the window, none answered in it): a server that serves some
  // connections and starves the rest. Percentiles only see replies, so they hide these.
  uint64_t starved_connections = 0;
  int64_t oldest_outstanding_ns = 0;  // age of the oldest unanswered request at the window end
  uint64_t connections_opened = 0;
  uint64_t reconnects = 0;  // connections reopened after a failure (--reconnect)
  ProtocolCounters protocol;  // HTTP status and session counts (whole run)
  std::vector<SeriesPoint> series;

  void merge(const WorkerResult& other);
};

}  // namespace iomb::harness
