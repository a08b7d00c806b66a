// Implementation of open_loop_schedule.h. Constant spacing computes t0 + (k + 0.5) * period
// from k rather than summing gaps, so rounding never drifts the achieved rate.
#include "harness/load/open_loop_schedule.h"

#include <cmath>

namespace iomb::harness {

OpenLoopSchedule::OpenLoopSchedule(double rate_per_s, Arrival arrival, uint64_t seed)
    : period_ns_(1e9 / rate_per_s), arrival_(arrival), rng_(seed), gap_(1.0) {}

void OpenLoopSchedule::start(int64_t t0_ns) {
  t0_ns_ = t0_ns;
  index_ = 0;
  poisson_ns_ = 0;
  if (arrival_ == Arrival::kConstant) {
    next_ns_ = t0_ns_ + static_cast<int64_t>(0.5 * period_ns_);
  } else {
    poisson_ns_ = gap_(rng_) * period_ns_;
    next_ns_ = t0_ns_ + static_cast<int64_t>(poisson_ns_);
  }
}

void OpenLoopSchedule::advance() {
  ++index_;
  if (arrival_ == Arrival::kConstant) {
    next_ns_ = t0_ns_ + static_cast<int64_t>((static_cast<double>(index_) + 0.5) * period_ns_);
  } else {
    poisson_ns_ += gap_(rng_) * period_ns_;
    next_ns_ = t0_ns_ + static_cast<int64_t>(poisson_ns_);
  }
}

}  // namespace iomb::harness
