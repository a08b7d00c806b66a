// Implementation of idle_sweeper.h. On the loop's strand.
#include "asio/idle_sweeper.h"

#include <boost/asio/bind_executor.hpp>

#include "asio/connection_table.h"

namespace iomb::asio {

IdleSweeper::IdleSweeper(net::io_context& context, Strand& strand, ConnectionTable& table,
                         uint64_t idle_timeout_ms, HandlerMemory& memory)
    : timer_(context.get_executor()),
      strand_(strand),
      table_(table),
      memory_(memory),
      enabled_(idle_timeout_ms > 0),
      period_(std::max<uint64_t>(1, idle_timeout_ms * 1000 / kTicksPerTimeout)) {}

void IdleSweeper::start() {
  if (!enabled_) return;
  timer_.expires_after(period_);
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
                           sweep();
                           // Absolute deadlines: a late sweep does not push every later one back.
                           timer_.expires_at(timer_.expiry() + period_);
                           arm();
                         })));
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
