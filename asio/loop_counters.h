// LoopCounters: the counters of one IoLoop. With an io_context run by one thread
// (context-per-thread) every increment is Counters::add_local (plain load+store); with one
// io_context run by many threads (shared) it is Counters::add (atomic fetch_add). The mode is
// fixed at construction, so the branch is perfectly predicted. Any of the loop's threads may
// add; any thread may snapshot.
#pragma once

#include "common/counters.h"

namespace iomb::asio {

class LoopCounters {
 public:
  explicit LoopCounters(bool many_writers) : many_writers_(many_writers) {}

  void add(Counter c, uint64_t n = 1) noexcept {
    if (many_writers_) {
      counters_.add(c, n);
    } else {
      counters_.add_local(c, n);
    }
  }
  CounterSnapshot snapshot() const noexcept { return counters_.snapshot(); }

 private:
  Counters counters_;
  const bool many_writers_;
};

}  // namespace iomb::asio
