// OpenLoopSchedule: the intended send times of one load thread's share of an open-loop run.
// Times follow the schedule whether or not replies came back; a request that could not be sent
// on time keeps its intended time, so its latency includes the wait (coordinated omission
// corrected, as wrk2). Owned by one load thread.
#pragma once

#include <cstdint>
#include <random>

#include "harness/load/load_options.h"

namespace iomb::harness {

class OpenLoopSchedule {
 public:
  OpenLoopSchedule(double rate_per_s, Arrival arrival, uint64_t seed);

  // Starts the schedule at t0 (ns); the first request is due one gap after t0 (constant: at
  // t0 + period/2, so N requests fit in N periods).
  void start(int64_t t0_ns);
  int64_t next() const { return next_ns_; }
  // Moves to the following intended time.
  void advance();
  uint64_t issued() const { return index_; }

 private:
  double period_ns_;
  Arrival arrival_;
  std::mt19937_64 rng_;
  std::exponential_distribution<double> gap_;
  int64_t t0_ns_ = 0;
  double poisson_ns_ = 0;  // running sum of exponential gaps (no rounding drift)
  uint64_t index_ = 0;
  int64_t next_ns_ = 0;
};

}  // namespace iomb::harness
