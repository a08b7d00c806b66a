// Connection: one client connection's asynchronous chain, async_read_some -> protocol ->
// async_write_some (until all is sent) -> async_read_some ... There is never more than one
// operation outstanding, which is what makes three things simple:
//  - no strand: in the shared io_context the chain hops between threads, but each step starts
//    from the previous step's handler, so Asio orders them;
//  - recycled handler memory: one HandlerMemory block serves every operation;
//  - backpressure: while a write is pending nothing is read, so at most one buffer
//    (min(kBufferBytes, --max-pending-bytes)) is ever unsent: the limit holds by construction.
// The chain's own handlers are the only code touching the socket. The idle sweep and shutdown
// (other threads, holding the ConnectionTable mutex) call close_for(), which uses shutdown(2)
// on the raw fd: the kernel completes the pending read with EOF or the pending write with
// EPIPE, and the chain ends itself. Owned by the ConnectionTable; the chain removes and
// destroys it when it ends.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <boost/system/error_code.hpp>

#include "asio/asio_types.h"
#include "asio/connection_protocol.h"
#include "asio/handler_allocator.h"

namespace iomb::asio {

class IoLoop;

enum class CloseReason : uint8_t { kNone, kIdle, kServer };

class Connection {
 public:
  // Sized once per connection; one read never takes more.
  static constexpr size_t kBufferBytes = 16 * 1024;

  Connection(IoLoop& loop, TcpSocket socket, std::unique_ptr<ConnectionProtocol> protocol);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts the chain. Called once, right after the connection joined the table; the chain may
  // end (and destroy this) on another thread before start() returns, so start() touches
  // nothing after initiating the first read.
  void start();

  // Any thread, with the ConnectionTable mutex held: makes the chain end soon (shutdown(2)),
  // counted as `reason`. Only the first call has an effect.
  void close_for(CloseReason reason) noexcept;

  // The IoLoop tick of the last completed read or write (the idle sweep's O(1) "touch").
  uint64_t last_active_tick() const noexcept {
    return last_tick_.load(std::memory_order_relaxed);
  }

 private:
  friend class ConnectionTable;
  using ErrorCode = boost::system::error_code;

  void read();
  void on_read(const ErrorCode& ec, size_t n);
  void send(ProtocolOutput output);
  void write_rest();
  void on_write(const ErrorCode& ec, size_t n);
  void finish(const ErrorCode& ec);
  void touch() noexcept;
  // Records why the connection closes; false if a reason was already recorded.
  bool mark_closing(CloseReason reason) noexcept;

  IoLoop& loop_;
  TcpSocket socket_;
  const int fd_;  // for close_for() from other threads; valid while in the table
  const size_t read_limit_;
  std::unique_ptr<ConnectionProtocol> protocol_;
  std::unique_ptr<SteadyTimer> delay_timer_;  // only with --test-echo-delay-us
  size_t table_index_ = 0;                    // ConnectionTable's slot
  std::atomic<uint64_t> last_tick_;
  std::atomic<CloseReason> close_reason_{CloseReason::kNone};
  ProtocolOutput output_{};
  size_t written_ = 0;
  bool stalled_ = false;  // this output already counted as a backpressure stall
  HandlerMemory memory_;
  std::array<char, kBufferBytes> buffer_;
};

}  // namespace iomb::asio
