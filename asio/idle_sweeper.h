// IdleSweeper: --idle-timeout-ms for one IoLoop with one periodic timer instead of a timer per
// connection. A steady_timer per connection would cost a timer-queue update (and often a
// timerfd_settime syscall) on every message; here a connection's "touch" on each completed
// read or write is one relaxed store of the current tick, and every period (a quarter of the
// timeout) the sweep advances the tick and closes connections untouched for more than four
// ticks. A connection idle for T is closed after between T and 1.25 T (plus timer slack).
// The same sweep enforces each connection's deadline_tick() (however active it is): an HTTP
// request still incomplete after the idle timeout (a slowloris trickling bytes keeps touching
// its connection).
// The sweep is O(connections) per period, e.g. 10,000 connections every 15 s by default.
// Lingering closes (HTTP) have their own bound, Connection::kLingerMs, whatever the idle
// timeout (0 included): the same timer then fires at least every 250 ms (the sweep period cut
// into equal steps, so idle sweeps keep their period) and closes the ones past it, walking the
// table only while some connection lingers (a counter the connections keep). One timer, not
// two: two handlers due together through the strand took a second block from Asio's
// per-thread recycling cache, a heap allocation in the steady state.
// Runs on the loop's strand; tick() is read by any of the loop's threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "asio/asio_types.h"
#include "asio/handler_allocator.h"

namespace iomb::asio {

class ConnectionTable;

// Milliseconds of the steady clock (lingering-close deadlines).
inline int64_t steady_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class IdleSweeper {
 public:
  // idle_timeout_ms == 0 disables the sweep (tick() stays 0).
  IdleSweeper(net::io_context& context, Strand& strand, ConnectionTable& table,
              uint64_t idle_timeout_ms, bool bound_lingering, HandlerMemory& memory);

  void start();  // arms the first period; before run() or on the strand
  void stop();   // on the strand: cancels the timer, no further sweeps
  uint64_t tick() const noexcept { return tick_.load(std::memory_order_relaxed); }
  // A connection began / ended a lingering close; any thread.
  void linger_started() noexcept { lingering_.fetch_add(1, std::memory_order_relaxed); }
  void linger_ended() noexcept { lingering_.fetch_sub(1, std::memory_order_relaxed); }

  static constexpr uint64_t kTicksPerTimeout = 4;
  static constexpr std::chrono::microseconds kMaxLingerStep{250'000};

 private:
  void arm();
  void on_timer();
  void sweep();
  void sweep_lingering();

  SteadyTimer timer_;
  Strand& strand_;
  ConnectionTable& table_;
  HandlerMemory& memory_;
  const bool enabled_;                      // idle sweeps
  const bool bound_lingering_;              // lingering-close sweeps
  const std::chrono::microseconds period_;  // between idle sweeps
  const uint64_t steps_per_sweep_;          // timer fires per idle sweep
  const std::chrono::microseconds step_;    // the timer's period
  uint64_t steps_ = 0;
  std::atomic<uint64_t> tick_{0};
  bool stopped_ = false;
  std::atomic<int> lingering_{0};
};

}  // namespace iomb::asio
