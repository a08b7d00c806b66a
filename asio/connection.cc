// Implementation of connection.h. Runs on whichever of its IoLoop's threads Asio picks, one
// handler at a time; close_for() on any thread.
#include "asio/connection.h"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/error.hpp>

#include "asio/io_loop.h"

namespace iomb::asio {

Connection::Connection(IoLoop& loop, TcpSocket socket, std::unique_ptr<ConnectionProtocol> protocol)
    : loop_(loop),
      socket_(std::move(socket)),
      fd_(socket_.native_handle()),
      read_limit_(
          static_cast<size_t>(std::min<uint64_t>(kBufferBytes, loop.options().max_pending_bytes))),
      protocol_(std::move(protocol)),
      last_tick_(loop.tick()) {
  if (loop.options().test_echo_delay_us > 0) {
    delay_timer_ = std::make_unique<SteadyTimer>(socket_.get_executor());
  }
}

void Connection::start() { read(); }

bool Connection::mark_closing(CloseReason reason) noexcept {
  CloseReason none = CloseReason::kNone;
  return close_reason_.compare_exchange_strong(none, reason, std::memory_order_relaxed);
}

void Connection::close_for(CloseReason reason) noexcept {
  if (!mark_closing(reason)) return;
  // The fd cannot have been closed (and reused) yet: the chain leaves the table, under the
  // mutex our caller holds, before it closes the socket.
  ::shutdown(fd_, SHUT_RDWR);
}

void Connection::touch() noexcept { last_tick_.store(loop_.tick(), std::memory_order_relaxed); }

void Connection::read() {
  socket_.async_read_some(
      net::buffer(buffer_.data(), read_limit_),
      with_memory(memory_, [this](const ErrorCode& ec, size_t n) { on_read(ec, n); }));
}

void Connection::on_read(const ErrorCode& ec, size_t n) {
  if (ec) return finish(ec);
  touch();
  LoopCounters& counters = loop_.counters();
  counters.add(Counter::kBytesIn, n);
  counters.add(Counter::kRequests);
  ProtocolOutput out = protocol_->on_input(std::span<char>(buffer_.data(), n));
  if (out.bytes.empty() && !out.close_after) return read();
  if (delay_timer_) {
    // Test-only latency injection: hold the reply back without blocking the thread.
    output_ = out;
    delay_timer_->expires_after(std::chrono::microseconds(loop_.options().test_echo_delay_us));
    delay_timer_->async_wait(with_memory(memory_, [this](const ErrorCode& wait_ec) {
      if (wait_ec) return finish(wait_ec);
      send(output_);
    }));
    return;
  }
  send(out);
}

void Connection::send(ProtocolOutput output) {
  output_ = output;
  written_ = 0;
  stalled_ = false;
  if (output_.bytes.empty()) {  // close_after with nothing (more) to send
    mark_closing(CloseReason::kServer);
    return finish(net::error::eof);
  }
  write_rest();
}

void Connection::write_rest() {
  // async_write_some rather than the composed async_write: a short write (the peer is not
  // reading fast enough) becomes visible here and is counted as a backpressure stall.
  socket_.async_write_some(
      net::buffer(output_.bytes.data() + written_, output_.bytes.size() - written_),
      with_memory(memory_, [this](const ErrorCode& ec, size_t n) { on_write(ec, n); }));
}

void Connection::on_write(const ErrorCode& ec, size_t n) {
  if (ec) return finish(ec);
  touch();
  loop_.counters().add(Counter::kBytesOut, n);
  written_ += n;
  if (written_ < output_.bytes.size()) {
    if (!stalled_) {
      stalled_ = true;
      loop_.counters().add(Counter::kBackpressureStalls);
    }
    return write_rest();
  }
  ProtocolOutput more = protocol_->on_output_sent();
  if (!more.bytes.empty()) return send(more);
  if (output_.close_after || more.close_after) {
    mark_closing(CloseReason::kServer);
    return finish(net::error::eof);
  }
  read();
}

void Connection::finish(const ErrorCode& ec) {
  Counter end;
  switch (close_reason_.load(std::memory_order_relaxed)) {
    case CloseReason::kIdle:
      end = Counter::kClosedIdle;
      break;
    case CloseReason::kServer:
      end = Counter::kClosedByServer;
      break;
    case CloseReason::kNone:
    default:
      if (ec == net::error::eof) {
        end = Counter::kClosedByPeer;  // the FIN came with nothing left to send: flushed
      } else if (ec == net::error::connection_reset || ec == net::error::broken_pipe) {
        end = Counter::kErrorsReset;
      } else if (ec == net::error::operation_aborted) {
        end = Counter::kClosedByServer;
      } else {
        end = Counter::kErrorsOther;
      }
  }
  IoLoop& loop = loop_;
  // Leave the table first: from here on nobody else uses fd_, so closing it is safe.
  std::unique_ptr<Connection> self = loop.table().remove(this);
  ErrorCode ignored;
  socket_.close(ignored);
  loop.counters().add(end);
  loop.on_connection_closed();
  // `self` destroys this connection on return.
}

}  // namespace iomb::asio
