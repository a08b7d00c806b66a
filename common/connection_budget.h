// ConnectionBudget: the --max-conns admission check. One instance per server process, shared
// by every accepting thread and every loop; any thread. Touched once per accept and once per
// close, never per message, so a relaxed atomic counter is enough: it orders nothing else.
#pragma once

#include <atomic>
#include <cstdint>

namespace iomb {

class ConnectionBudget {
 public:
  explicit ConnectionBudget(uint64_t limit) : limit_(limit) {}
  ConnectionBudget(const ConnectionBudget&) = delete;
  ConnectionBudget& operator=(const ConnectionBudget&) = delete;

  // Reserves a slot for a new connection; false (nothing reserved) when `limit` are open.
  // fetch_add first so two racing acceptors can never both take the last slot.
  bool try_admit() {
    if (open_.fetch_add(1, std::memory_order_relaxed) < limit_) return true;
    open_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }

  // Gives back a slot taken by a successful try_admit().
  void release() { open_.fetch_sub(1, std::memory_order_relaxed); }

  uint64_t open() const { return open_.load(std::memory_order_relaxed); }

 private:
  const uint64_t limit_;
  std::atomic<uint64_t> open_{0};
};

}  // namespace iomb
