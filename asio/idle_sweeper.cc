// Implementation of idle_sweeper.h. On the loop's strand.
#include "asio/idle_sweeper.h"

#include <boost/asio/bind_executor.hpp>

#include "asio/connection_table.h"

namespace iomb::asio {

namespace {

// Timer fires per idle sweep: one, or enough equal steps of at most kMaxLingerStep when
// lingering closes need bounding too.
uint64_t steps_for(bool enabled, bool bound_lingering, std::chrono::microseconds period) {
  if (!bound_lingering || !enabled) return 1;
  const auto max = IdleSweeper::kMaxLingerStep.count();
  return std::max<uint64_t>(1, static_cast<uint64_t>((period.count() + max - 1) / max));
}

}  // namespace

IdleSweeper::IdleSweeper(net::io_context& context, Strand& strand, ConnectionTable& table,
                         uint64_t idle_timeout_ms, bool bound_lingering, HandlerMemory& memory)
    : timer_(context.get_executor()),
      strand_(strand),
      table_(table),
      memory_(memory),
      enabled_(idle_timeout_ms > 0),
      bound_lingering_(bound_lingering),
      period_(std::max<uint64_t>(1, idle_timeout_ms * 1000 / kTicksPerTimeout)),
      steps_per_sweep_(steps_for(enabled_, bound_lingering_, period_)),
      step_(enabled_ ? period_ / static_cast<int64_t>(steps_per_sweep_) : kMaxLingerStep) {}

void IdleSweeper::start() {
  if (!enabled_ && !bound_lingering_) return;
  timer_.expires_after(step_);
  arm();
}

void IdleSweeper::stop() {
  stopped_ = true;
  timer_.cancel();
}

void IdleSweeper::arm() {
  timer_.async_wait(
      net::bind_executor(strand_, with_memory(memory_, [this](const boost::system::error_code& ec) {
                           if (ec || stopped_) return;
                           on_timer();
                           // Absolute deadlines: a late sweep does not push every later one back.
                           timer_.expires_at(timer_.expiry() + step_);
                           arm();
                         })));
}

void IdleSweeper::on_timer() {
  if (bound_lingering_) sweep_lingering();
  if (enabled_ && ++steps_ % steps_per_sweep_ == 0) sweep();
}

void IdleSweeper::sweep_lingering() {
  if (lingering_.load(std::memory_order_relaxed) <= 0) return;
  const int64_t now = steady_ms();
  table_.for_each([now](Connection& c) {
    if (c.linger_expired(now)) c.close_for(CloseReason::kServer);
  });
}

void IdleSweeper::sweep() {
  const uint64_t now = tick_.load(std::memory_order_relaxed) + 1;
  tick_.store(now, std::memory_order_relaxed);
  table_.for_each([now](Connection& c) {
    if (now - c.last_active_tick() > kTicksPerTimeout || now > c.deadline_tick()) {
      c.close_for(CloseReason::kIdle);
    }
  });
}

}  // namespace iomb::asio
