// Implementation of connection.h. Runs on whichever of its IoLoop's threads Asio picks, one
// handler at a time; close_for() on any thread.
#include "asio/connection.h"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>

#include "asio/io_loop.h"

namespace iomb::asio {

Connection::Connection(IoLoop& loop, TcpSocket socket, std::unique_ptr<ProtocolHandler> protocol)
    : loop_(loop),
      socket_(std::move(socket)),
      fd_(socket_.native_handle()),
      // Echo sends back what it read, so the read size bounds the pending output; HTTP
      // bounds it in HttpHandler.
      read_limit_(loop.options().protocol == Protocol::kEcho
                      ? static_cast<size_t>(
                            std::min<uint64_t>(kBufferBytes, loop.options().max_pending_bytes))
                      : kBufferBytes),
      protocol_(std::move(protocol)),
      strand_(loop.chain_strand()),
      last_tick_(loop.tick()) {
  if (loop.options().test_echo_delay_us > 0 && loop.options().protocol == Protocol::kEcho) {
    delay_timer_ = std::make_unique<SteadyTimer>(socket_.get_executor());
  }
}

void Connection::start() {
  protocol_->attach(*this);
  read();
}

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

void Connection::set_deadline(uint64_t tick) noexcept {
  has_deadline_ = tick != kNoDeadline;
  deadline_tick_.store(tick, std::memory_order_relaxed);
}

void Connection::track_request(uint64_t answered) {
  if (!protocol_->mid_request()) {
    if (has_deadline_) set_deadline(kNoDeadline);
    return;
  }
  // A request that began since the last call: none was pending, or one completed.
  if (!has_deadline_ || answered > 0) {
    set_deadline(loop_.tick() + IdleSweeper::kTicksPerTimeout);
  }
}

template <class Initiate, class Handler>
void Connection::async(Initiate&& initiate, Handler&& handler) {
  if (strand_ != nullptr) {
    initiate(net::bind_executor(*strand_, std::forward<Handler>(handler)));
  } else {
    initiate(std::forward<Handler>(handler));
  }
}

void Connection::read() {
  async(
      [this](auto&& h) {
        socket_.async_read_some(net::buffer(buffer_.data(), read_limit_), std::move(h));
      },
      with_memory(memory_, [this](const ErrorCode& ec, size_t n) { on_read(ec, n); }));
}

void Connection::on_read(const ErrorCode& ec, size_t n) {
  if (ec) return finish(ec);
  touch();
  loop_.counters().add(Counter::kBytesIn, n);
  proceed(protocol_->on_input(std::span<char>(buffer_.data(), n)));
}

void Connection::proceed(const ProtocolOutput& out) {
  if (out.requests > 0) loop_.counters().add(Counter::kRequests, out.requests);
  track_request(out.requests);
  if (!out.bytes.empty()) {
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
    return send(out);
  }
  if (out.close_after) return start_linger();
  if (out.wait) {
    waiting_ = true;  // nothing outstanding until on_protocol_output()
    return;
  }
  read();
}

void Connection::on_protocol_output() noexcept {
  if (!waiting_) return;  // a write is in flight; its completion collects the output
  waiting_ = false;
  proceed(protocol_->on_output_sent());
}

void Connection::send(ProtocolOutput output) {
  output_ = output;
  written_ = 0;
  stalled_ = false;
  write_rest();
}

void Connection::write_rest() {
  // async_write_some rather than the composed async_write: a short write (the peer is not
  // reading fast enough) becomes visible here and is counted as a backpressure stall.
  async(
      [this](auto&& h) {
        socket_.async_write_some(
            net::buffer(output_.bytes.data() + written_, output_.bytes.size() - written_),
            std::move(h));
      },
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
  if (output_.close_after && more.bytes.empty()) more.close_after = true;
  proceed(more);
}

void Connection::start_linger() {
  lingering_ = true;
  set_deadline(kNoDeadline);  // the linger bound replaces the request deadline
  linger_deadline_ms_.store(steady_ms() + kLingerMs, std::memory_order_relaxed);
  loop_.sweeper().linger_started();
  ErrorCode ignored;
  socket_.shutdown(net::socket_base::shutdown_send, ignored);  // FIN after the response
  async([this](auto&& h) { socket_.async_read_some(net::buffer(buffer_), std::move(h)); },
        with_memory(memory_, [this](const ErrorCode& ec, size_t n) { on_linger_read(ec, n); }));
}

void Connection::on_linger_read(const ErrorCode& ec, size_t n) {
  // No touch(): input does not extend a lingering close.
  if (ec) return finish(ec);
  discarded_ += n;
  if (discarded_ >= kLingerBytes) return finish(net::error::eof);
  async([this](auto&& h) { socket_.async_read_some(net::buffer(buffer_), std::move(h)); },
        with_memory(memory_, [this](const ErrorCode& ec2, size_t n2) { on_linger_read(ec2, n2); }));
}

void Connection::finish(const ErrorCode& ec) {
  Counter end;
  // A lingering close is the server's, however it ends (EOF, deadline, reset, shutdown).
  switch (lingering_ ? CloseReason::kServer : close_reason_.load(std::memory_order_relaxed)) {
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
  if (lingering_) loop.sweeper().linger_ended();
  // Leave the table first: from here on nobody else uses fd_, so closing it is safe.
  std::unique_ptr<Connection> self = loop.table().remove(this);
  ErrorCode ignored;
  socket_.close(ignored);
  loop.counters().add(end);
  loop.on_connection_closed();
  // `self` destroys this connection on return.
}

}  // namespace iomb::asio
