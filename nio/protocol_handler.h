// The per-connection protocol interface of iomb-nio: what the reactor hands a protocol (bytes
// in) and what the protocol may do back (bytes out, close after flush, hand work to the worker
// pool). Echo implements it in echo_handler.h, HTTP (common/http's HttpCodec) in http_handler.h.
// Every call happens on the connection's loop thread, except Job::run() (a worker thread).
#pragma once

#include <cstdint>
#include <span>

namespace iomb::nio {

class Connection;
class EventLoop;

// A unit of work a handler hands to the worker pool (workers mode): typically a parsed request
// whose response needs --work-us / --block-us. The handler owns the Job (no allocation per
// request: keep one per handler and reuse it); the pool never frees it.
class Job {
 public:
  virtual ~Job() = default;
  // Runs on a worker thread. Must not touch the connection or the loop.
  virtual void run() = 0;

 private:
  friend class Connection;
  friend class EventLoop;
  friend class WorkerPool;
  Connection* owner_ = nullptr;  // set by HandlerIo::submit
  EventLoop* loop_ = nullptr;
  Job* next_ = nullptr;  // intrusive link in the pool queue and the loop's completion queue
};

enum class HandlerStatus {
  kContinue,  // keep reading
  // Send what was written, then shutdown(SHUT_WR) and discard input for a bounded time and
  // amount before closing (lingering close: closing with unread input would send RST, which
  // can destroy the response before the peer reads it). E.g. HTTP/1.0, a 400.
  kCloseAfterFlush,
  kAwaitJob,  // a Job was submitted: stop reading until on_job_done()
};

// What a handler can do with its connection. Implemented by Connection.
class HandlerIo {
 public:
  // Sends bytes to the peer, in order. The bytes are sent at once when nothing is queued
  // (they need not outlive the call): leftovers are copied into the connection's bounded
  // output buffer and sent when the socket is writable.
  virtual void write(std::span<const char> bytes) = 0;
  // Hands `job` to the worker pool; its completion comes back to on_job_done() on this loop
  // thread (via the loop's eventfd). Returns false when the server runs no pool (modes
  // reactors/acceptor): the handler then does the work inline.
  virtual bool submit(Job& job) = 0;
  // Counts `n` answered requests (Counter::kRequests). A handler that completed a request
  // during a call also restarts the connection's request deadline (see
  // ProtocolHandler::mid_request).
  virtual void count_requests(uint64_t n) = 0;
  // The connection was closed (e.g. a send failed): further work for it would be wasted.
  virtual bool closed() const = 0;
  // The handler wrote output outside on_input()/on_job_done() (an asynchronous session store
  // completed a visit, on the loop thread): the connection applies `status` as it would a
  // returned one. Called also when the connection was closed meanwhile (it may now be freed).
  virtual void on_async_output(HandlerStatus status) = 0;

 protected:
  ~HandlerIo() = default;
};

class ProtocolHandler {
 public:
  virtual ~ProtocolHandler() = default;
  // `in` points into the loop's shared read buffer and is valid only during the call: the
  // handler keeps (copies) what it has not consumed.
  virtual HandlerStatus on_input(std::span<const char> in, HandlerIo& io) = 0;
  // The job submitted last has run; write its response. May submit again (kAwaitJob).
  virtual HandlerStatus on_job_done(Job& /*job*/, HandlerIo& /*io*/) {
    return HandlerStatus::kContinue;
  }
  // A request has started arriving but is not complete. The connection closes one that stays
  // incomplete longer than --idle-timeout-ms even while bytes trickle in (slowloris).
  virtual bool mid_request() const { return false; }
  // Something asynchronous (a session store visit) will call back into the handler: the
  // connection is neither closed on EOF or idleness nor freed until it did (the store's own
  // deadline bounds the wait). See HandlerIo::on_async_output.
  virtual bool busy() const { return false; }
  // False while the handler wants no more input for now (its stash is full).
  virtual bool want_read() const { return true; }
};

}  // namespace iomb::nio
