// Connection: one accepted socket on one EventLoop: reads into the loop's shared buffer, hands
// the bytes to its ProtocolHandler, writes the handler's output directly and keeps only leftovers
// (bounded: reading pauses past --max-pending-bytes), arms EPOLLOUT only while leftovers
// exist, flushes then closes on the peer's FIN (after a job still running on a worker), and
// is closed by the timer wheel: idle timeout, a request incomplete for longer than the idle
// timeout (slowloris), or the end of a lingering close (kCloseAfterFlush: shutdown(SHUT_WR),
// then discard input until EOF, 1 MiB or 2 s). A connection closed while its Job runs on a
// worker stays allocated until the job comes back (on_job_done); one whose handler is busy
// (an asynchronous session-store visit) likewise until the visit called back
// (on_async_output), and meanwhile it is not closed for EOF or idleness.
// Owned by its loop (EventLoop::connections_); loop thread only.
#pragma once

#include <cstdint>
#include <memory>

#include "common/counters.h"
#include "common/unique_fd.h"
#include "nio/output_buffer.h"
#include "nio/protocol_handler.h"
#include "nio/timer_wheel.h"

namespace iomb::nio {

class EventLoop;

class Connection final : public TimerNode, public HandlerIo {
 public:
  Connection(EventLoop& loop, UniqueFd fd, std::unique_ptr<ProtocolHandler> handler);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Registers with epoll and starts the idle timer. Returns false (and closes) on failure.
  bool start();
  void handle_events(uint32_t events);
  // The wheel says the deadline passed: close if no IO happened since, else re-arm.
  void on_timer();
  void on_job_done(Job& job);
  // Closes the socket now (output not yet sent is dropped) and counts `reason`.
  void close(Counter reason);

  bool closed() const override { return !fd_.valid(); }
  bool job_outstanding() const { return job_outstanding_; }

  // HandlerIo.
  void write(std::span<const char> bytes) override;
  bool submit(Job& job) override;
  void count_requests(uint64_t n) override;
  void on_async_output(HandlerStatus status) override;

 private:
  // Something will call back into this connection (a job, a store visit).
  bool owed() const { return job_outstanding_ || handler_->busy(); }
  void on_readable(uint32_t events);
  void flush();
  void apply(HandlerStatus status);
  void after_output();
  void peer_closed();
  void update_interest();
  void touch();
  void close_for_errno(int err);
  // Hands the connection to the loop for deletion after this round; idempotent.
  void schedule_destroy();
  // After a call into the handler that began with `was_mid_request`: restarts the request
  // deadline when a new request began.
  void track_request(bool was_mid_request);
  void begin_linger();
  void discard_input();

  EventLoop& loop_;
  UniqueFd fd_;
  std::unique_ptr<ProtocolHandler> handler_;
  OutputBuffer out_;
  uint64_t last_active_ = 0;  // wheel tick of the last IO progress
  uint32_t registered_ = 0;   // event mask currently in epoll
  bool paused_ = false;       // backpressure: output over --max-pending-bytes
  bool peer_closed_ = false;  // FIN seen
  bool close_after_flush_ = false;
  bool job_outstanding_ = false;
  bool destroy_scheduled_ = false;
  bool lingering_ = false;        // SHUT_WR sent; discarding input until EOF or the deadline
  bool answered_ = false;         // count_requests(n > 0) during the current handler call
  uint64_t request_started_ = 0;  // wheel tick when the incomplete request began
  uint64_t linger_deadline_ = 0;  // wheel tick
  size_t linger_left_ = 0;        // bytes still to discard
  size_t index_ = 0;              // position in EventLoop::connections_

  friend class EventLoop;
};

}  // namespace iomb::nio
