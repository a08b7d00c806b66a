// RingLoop: one io_uring proactor serving one listening socket on one thread, sharing nothing
// with the other loops but the process-wide connection count and (--protocol http) the
// HttpService with its session store. It owns its ring, provided buffer ring, connection
// slots, listener and wake-up eventfd, and the session store's links (ring_store_io.h). Echo
// answers from the received buffers themselves; HTTP through per-slot HttpConnection state
// (ring_loop_http.cc). Must be constructed, run and destroyed on its own thread (the ring is
// SINGLE_ISSUER); wake() may be called from any thread; counters() from any thread.
#pragma once

#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aio/aio_options.h"
#include "aio/buffer_ring.h"
#include "aio/connection_table.h"
#include "aio/http_connection.h"
#include "aio/ring.h"
#include "aio/ring_store_io.h"
#include "aio/user_data.h"
#include "common/connection_budget.h"
#include "common/counters.h"
#include "common/http/http_service.h"
#include "common/loop_thread.h"
#include "common/server_options.h"
#include "common/socket_ops.h"
#include "common/unique_fd.h"

namespace iomb::aio {

class RingLoop {
 public:
  // Sets up the ring, buffers and slots. `http` (shared by every loop, outliving them) serves
  // --protocol http; nullptr for echo. Throws UnavailableError or std::system_error.
  RingLoop(const ServerOptions& options, const AioOptions& aio, ConnectionBudget& connections,
           UniqueFd listener, const http::HttpService* http = nullptr);
  ~RingLoop();
  RingLoop(const RingLoop&) = delete;
  RingLoop& operator=(const RingLoop&) = delete;

  // Serves until woken by wake(), then closes every connection (bounded wait) and releases
  // the ring. Never throws.
  void run() noexcept;
  // Asks run() to stop. Any thread, idempotent.
  void wake() noexcept;

  const Counters& counters() const { return counters_; }
  const std::string& setup_name() const { return setup_name_; }
  unsigned cq_entries() const { return cq_entries_; }

 private:
  friend class HttpConnection;

  // Submissions.
  void arm_accept();
  void arm_accept_poll();
  void arm_accept_retry();
  void rearm_accept_after_pause(bool more);
  void arm_recv(uint32_t slot);
  void arm_tick();
  void arm_wake();
  void submit_send(uint32_t slot);
  void submit_cancel_recv(uint32_t slot);
  void submit_close_rejected(int fd);
  void cancel_loop_op(uint64_t user_data);
  io_uring_sqe* slot_sqe(uint32_t slot, Op op, uint16_t buffer = 0);

  // Completions.
  void process_completions();
  void dispatch(const io_uring_cqe& cqe);
  void on_accept(const io_uring_cqe& cqe);
  // A new connection: `fd` is a plain descriptor (accept4) or, with --fixed-files and
  // multishot accept, a direct-descriptor index.
  void new_connection(int fd, bool plain_fd);
  void reject(int fd, bool plain_fd);
  void on_recv(uint32_t slot, const io_uring_cqe& cqe);
  void on_recv_data(uint32_t slot, uint16_t bid, uint32_t len);
  void on_send(uint32_t slot, const UserData& ud, const io_uring_cqe& cqe);
  // A send CQE that sent nothing: resubmits on EINTR/EAGAIN, closes the connection otherwise.
  // Returns false when `res` > 0 (bytes were sent; the caller accounts for them).
  bool handle_failed_send(uint32_t slot, int res, void (RingLoop::*resubmit)(uint32_t));
  void on_tick(const io_uring_cqe& cqe);
  void begin_stop();

  // Connection life.
  void close_connection(uint32_t slot, Counter reason);
  void close_if_flushed(uint32_t slot);
  void maybe_release(uint32_t slot);
  void maybe_pause(uint32_t slot);
  void maybe_resume(uint32_t slot);
  void rearm_starved();

  // Ring pressure (ring_loop_pressure.cc): while fewer than a quarter of the ring's buffers
  // are free, connections that hold ring buffers without progress (paused, or a send stuck on
  // a peer that does not read) have their queues copied into overflow buffers.
  void relieve_ring_pressure();
  void arm_pressure_timer();
  // Copies every queued ring buffer of `slot` but the one its in-flight send reads; with
  // `cancel_send`, also cancels that send (its buffer is copied when the cancel lands).
  void copy_queue_out_of_ring(uint32_t slot, bool cancel_send);
  // The in-flight send of the queue head was cancelled: copies the head out of the ring.
  // False when no overflow buffer is left for it.
  bool copy_head_out_of_ring(uint32_t slot);
  // Closes a connection that holds ring buffers without progress when the overflow space
  // cannot take them: holding them would starve every other connection of the ring.
  void shed_stuck(uint32_t slot);
  // Appends bytes to `slot`'s queue in overflow buffers (packed into the tail one while it has
  // room). All or nothing: false, and nothing appended, if the overflow buffers run out.
  bool append_copy(uint32_t slot, const char* data, uint32_t len);
  void submit_cancel_send(uint32_t slot);

  // HTTP (ring_loop_http.cc).
  HttpConnection& http_conn(uint32_t slot) { return *http_conns_[slot]; }
  void http_open(uint32_t slot);
  void http_on_data(uint32_t slot, uint16_t bid, uint32_t len);
  void http_on_send(uint32_t slot, const io_uring_cqe& cqe);
  void http_on_notif(uint32_t slot);
  void http_on_eof(uint32_t slot);
  // Sends what the codec produced if no send is in flight, closes or lingers once flushed,
  // pauses or resumes reading for backpressure.
  void http_flush(uint32_t slot);
  void submit_http_send(uint32_t slot);
  void start_linger(uint32_t slot);
  void sweep_lingering();
  // While lingering, the end of the connection is the server's close, whatever ends it.
  Counter close_reason(uint32_t slot, Counter reason);

  bool is_fixed() const { return aio_.fixed_files; }
  uint32_t now_ms() const;

  const ServerOptions& options_;
  const AioOptions& aio_;
  ConnectionBudget& connections_;  // process-wide, shared by every loop
  LoopThread loop_thread_;         // the creating thread, which alone submits
  UniqueFd listener_;
  UniqueFd wake_fd_;
  SpareFd spare_fd_;
  Counters counters_;
  std::unique_ptr<Ring> ring_;
  std::unique_ptr<BufferRing> buffers_;
  // The session store's links on this ring (--protocol http with a store that talks TCP), and
  // the store's attachment to this loop: attached when run() starts, detached (in-flight
  // visits answered 503) when the stop begins, before the connections close.
  std::unique_ptr<RingStoreIo> store_io_;
  std::optional<http::LoopStoreScope> store_scope_;
  ConnectionTable table_;
  const bool poll_accept_;  // prefork workers: multishot poll + accept4 instead of accept ops
  const http::HttpService* const http_;                      // --protocol http
  std::vector<std::unique_ptr<HttpConnection>> http_conns_;  // by slot, created on first use
  struct LingerEntry {
    uint32_t slot;
    uint16_t generation;
  };
  std::vector<LingerEntry> lingering_;  // FIFO by linger start (so by deadline)
  size_t lingering_pos_ = 0;
  std::string setup_name_;
  unsigned cq_entries_ = 0;

  unsigned direct_files_ = 0;  // size of the direct-descriptor table (--fixed-files)
  unsigned next_direct_ = 0;
  uint32_t now_ms_ = 0;
  uint32_t tick_ms_ = 0;
  uint32_t per_connection_buffer_cap_;
  bool tick_multishot_ = true;
  bool accept_armed_ = false;
  bool accept_paused_ = false;  // spare lost: accepting resumes when the retry timer fires
  bool stopping_ = false;
  bool enter_error_reported_ = false;
  uint64_t wake_value_ = 0;
  __kernel_timespec tick_ts_{};
  __kernel_timespec retry_ts_{};
  std::vector<uint32_t> starved_;  // slots whose recv ended with ENOBUFS, FIFO
  size_t starved_pos_ = 0;
  uint64_t cq_overflows_ = 0;
  uint64_t buffer_ring_dry_ = 0;  // recv completions with ENOBUFS
  bool pressure_timer_armed_ = false;
  uint32_t last_pressure_scan_ms_ = 0;
  __kernel_timespec pressure_ts_{};
  uint64_t copied_bytes_ = 0;     // copied out of the ring under pressure
  uint64_t cancelled_sends_ = 0;  // stuck sends cancelled under pressure
  uint64_t shed_stuck_ = 0;       // stuck connections closed: no overflow space left for them
};

}  // namespace iomb::aio
