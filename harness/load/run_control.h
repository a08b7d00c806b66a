// RunControl: what the load threads of one run share with the engine's main thread: the start
// handshake (every thread connected → one common t0), the abort flag, the first fatal error,
// and per-thread progress published with relaxed stores on the thread's own cache line.
// Any thread; the hot path only reads `abort` and stores its own WorkerProgress.
#pragma once

#include <atomic>
#include <cstdint>
#include <latch>
#include <mutex>
#include <string>

namespace iomb::harness {

struct alignas(64) WorkerProgress {
  std::atomic<uint64_t> completed{0};   // all phases
  std::atomic<int64_t> last_p99_ns{0};  // p99 of the last full second measured
};

class RunControl {
 public:
  explicit RunControl(int threads) : connected(threads) {}

  std::latch connected;  // each load thread arrives once: connections up, or failed
  std::latch go{1};      // the main thread opens it after setting t0
  std::atomic<int64_t> t0_ns{0};
  std::atomic<bool> abort{false};

  // Records the first fatal error and stops every thread. `invalid` marks a failed
  // verification (the run's numbers must not be used).
  void fail(const std::string& message, bool invalid) {
    std::lock_guard lock(mu_);
    if (error_.empty()) error_ = message;
    invalid_ = invalid_ || invalid;
    abort.store(true, std::memory_order_relaxed);
  }
  std::string error() const {
    std::lock_guard lock(mu_);
    return error_;
  }
  bool invalid() const {
    std::lock_guard lock(mu_);
    return invalid_;
  }

 private:
  mutable std::mutex mu_;
  std::string error_;
  bool invalid_ = false;
};

}  // namespace iomb::harness
