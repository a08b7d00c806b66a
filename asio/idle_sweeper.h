// IdleSweeper: --idle-timeout-ms for one IoLoop with one periodic timer instead of a timer per
// connection. A steady_timer per connection would cost a timer-queue update (and often a
// timerfd_settime syscall) on every message; here a connection's "touch" on each completed
// read or write is one relaxed store of the current tick, and every period (a quarter of the
// timeout) the sweep advances the tick and closes connections untouched for more than four
// ticks. A connection idle for T is closed after between T and 1.25 T (plus timer slack).
// The same sweep enforces each connection's deadline_tick() (however active it is): an HTTP
// request still incomplete after the idle timeout (a slowloris trickling bytes keeps touching
// its connection) and the end of a lingering close (Connection::kLingerTicks).
// The sweep is O(connections) per period, e.g. 10,000 connections every 15 s by default.
// Runs on the loop's strand; tick() is read by any of the loop's threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "asio/asio_types.h"
#include "asio/handler_allocator.h"

namespace iomb::asio {

class ConnectionTable;

class IdleSweeper {
 public:
  // idle_timeout_ms == 0 disables the sweep (tick() stays 0).
  IdleSweeper(net::io_context& context, Strand& strand, ConnectionTable& table,
              uint64_t idle_timeout_ms, HandlerMemory& memory);

  void start();  // arms the first period; before run() or on the strand
  void stop();   // on the strand: cancels the timer, no further sweeps
  uint64_t tick() const noexcept { return tick_.load(std::memory_order_relaxed); }

  static constexpr uint64_t kTicksPerTimeout = 4;

 private:
  void arm();
  void sweep();

  SteadyTimer timer_;
  Strand& strand_;
  ConnectionTable& table_;
  HandlerMemory& memory_;
  const bool enabled_;
  const std::chrono::microseconds period_;
  std::atomic<uint64_t> tick_{0};
  bool stopped_ = false;
};

}  // namespace iomb::asio
