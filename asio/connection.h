// Connection: one client connection's asynchronous chain, async_read_some -> protocol ->
// async_write_some (until all is sent) -> async_read_some ... (the half-duplex chain of Asio's
// own HTTP server example). There is never more than one operation outstanding, which is what
// makes three things simple:
//  - no strand: in the shared io_context the chain hops between threads, but each step starts
//    from the previous step's handler, so Asio orders them;
//  - recycled handler memory: one HandlerMemory block serves every operation;
//  - backpressure: while a write is pending nothing is read. For echo at most one buffer
//    (min(kBufferBytes, --max-pending-bytes)) is ever unsent; for HTTP the protocol feeds a
//    read to the codec only until --max-pending-bytes of output are pending (http_handler.h).
// After a closing HTTP response the chain does a lingering close: shutdown(SHUT_WR), then read
// and discard until EOF, at most kLingerBytes and until the linger deadline (closing with
// unread input would make the kernel send RST, which can destroy the response before the
// client read it).
// Deadlines, enforced by the IdleSweeper (no timer per connection): idle (no read or write
// completed for --idle-timeout-ms), a request in progress for longer than --idle-timeout-ms
// (a slowloris trickling bytes is never idle), and the end of a lingering close (kLingerMs).
// The chain's own handlers are the only code touching the socket. The idle sweep and shutdown
// (other threads, holding the ConnectionTable mutex) call close_for(), which uses shutdown(2)
// on the raw fd: the kernel completes the pending read with EOF or the pending write with
// EPIPE, and the chain ends itself. Owned by the ConnectionTable; the chain removes and
// destroys it when it ends.
#pragma once

#include <array>
#include <atomic>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "asio/asio_types.h"
#include "asio/handler_allocator.h"
#include "asio/protocol_handler.h"

namespace iomb::asio {

class IoLoop;

enum class CloseReason : uint8_t { kNone, kIdle, kServer };

class Connection final : private ProtocolHost {
 public:
  // Sized once per connection; one read never takes more.
  static constexpr size_t kBufferBytes = 16 * 1024;
  // A lingering close discards at most this much input.
  static constexpr size_t kLingerBytes = 1 << 20;
  // A lingering close ends after this long (IdleSweeper's linger sweep, every 250 ms), whatever
  // --idle-timeout-ms says: the bound nio, aio and bio keep.
  static constexpr int64_t kLingerMs = 2000;
  static constexpr uint64_t kNoDeadline = UINT64_MAX;

  Connection(IoLoop& loop, TcpSocket socket, std::unique_ptr<ProtocolHandler> protocol);
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
  uint64_t last_active_tick() const noexcept { return last_tick_.load(std::memory_order_relaxed); }
  // The IoLoop tick after which the sweep closes this connection however active it is (a
  // request in progress for too long, a lingering close), or kNoDeadline.
  uint64_t deadline_tick() const noexcept { return deadline_tick_.load(std::memory_order_relaxed); }
  // A lingering close that began more than kLingerMs before `now_ms` (steady clock).
  bool linger_expired(int64_t now_ms) const noexcept {
    return now_ms > linger_deadline_ms_.load(std::memory_order_relaxed);
  }

 private:
  friend class ConnectionTable;
  using ErrorCode = boost::system::error_code;

  // Starts an asynchronous operation: `initiate(handler)`, the handler bound to the loop's
  // chain strand when there is one (IoLoop::chain_strand).
  template <class Initiate, class Handler>
  void async(Initiate&& initiate, Handler&& handler);
  void read();
  void on_read(const ErrorCode& ec, size_t n);
  // Acts on what the protocol returned: send, linger, wait or read.
  void proceed(const ProtocolOutput& output);
  void send(ProtocolOutput output);
  void start_linger();
  void on_linger_read(const ErrorCode& ec, size_t n);
  // After the protocol consumed input: (re)starts or clears the request deadline.
  void track_request(uint64_t answered);
  void set_deadline(uint64_t tick) noexcept;
  void on_protocol_output() noexcept override;
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
  std::unique_ptr<ProtocolHandler> protocol_;
  Strand* const strand_;
  std::unique_ptr<SteadyTimer> delay_timer_;  // only with --test-echo-delay-us
  size_t table_index_ = 0;                    // ConnectionTable's slot
  std::atomic<uint64_t> last_tick_;
  std::atomic<CloseReason> close_reason_{CloseReason::kNone};
  std::atomic<uint64_t> deadline_tick_{kNoDeadline};
  std::atomic<int64_t> linger_deadline_ms_{INT64_MAX};
  bool has_deadline_ = false;  // the chain's copy: deadline_tick_ != kNoDeadline
  bool lingering_ = false;
  bool waiting_ = false;  // parked: the protocol owes output (ProtocolOutput::wait)
  size_t discarded_ = 0;  // lingering close
  ProtocolOutput output_{};
  size_t written_ = 0;
  bool stalled_ = false;  // this output already counted as a backpressure stall
  HandlerMemory memory_;
  std::array<char, kBufferBytes> buffer_;
};

}  // namespace iomb::asio
