// Implementation of connection.h.
#include "nio/connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "nio/event_loop.h"
#include "nio/worker_pool.h"

namespace iomb::nio {
namespace {

// After a burst, an emptied output buffer bigger than this is freed (steady-state leftovers
// are far smaller, so they keep their buffer and never allocate per message).
constexpr size_t kKeepOutputBytes = 256 * 1024;

// Lingering close: discard at most this much input before closing (the time bound is the
// loop's linger_ticks()).
constexpr size_t kLingerBytes = 1 << 20;

}  // namespace

Connection::Connection(EventLoop& loop, UniqueFd fd, std::unique_ptr<ProtocolHandler> handler)
    : loop_(loop), fd_(std::move(fd)), handler_(std::move(handler)) {}

Connection::~Connection() = default;

bool Connection::start() {
  registered_ = EPOLLIN | EPOLLRDHUP;
  if (loop_.context().edge_triggered) registered_ |= EPOLLET;
  epoll_event ev{};
  ev.events = registered_;
  ev.data.ptr = this;
  if (::epoll_ctl(loop_.epoll_fd(), EPOLL_CTL_ADD, fd_.get(), &ev) != 0) {
    close(Counter::kErrorsOther);
    return false;
  }
  touch();
  if (loop_.idle_ticks()) loop_.timers().schedule(*this, last_active_ + loop_.idle_ticks());
  return true;
}

void Connection::touch() { last_active_ = loop_.timers().now(); }

void Connection::handle_events(uint32_t events) {
  if (closed()) return;
  if (events & EPOLLOUT) flush();
  if (closed()) return;
  // EPOLLERR/EPOLLHUP are reported even when not asked for: let recv() tell what happened.
  if ((registered_ & EPOLLIN) && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
    on_readable(events);
  } else if ((events & EPOLLERR) && !(events & EPOLLOUT)) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    close_for_errno(err ? err : ECONNRESET);
  }
}

void Connection::on_readable(uint32_t events) {
  if (lingering_) {
    discard_input();
    return;
  }
  const bool edge = loop_.context().edge_triggered;
  std::span<char> buf = loop_.read_buffer();
  Counters& counters = loop_.counters_local();
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
    if (n > 0) {
      touch();
      counters.add_local(Counter::kBytesIn, static_cast<uint64_t>(n));
      const bool was_mid_request = handler_->mid_request();
      answered_ = false;
      apply(handler_->on_input(std::span<const char>(buf.data(), static_cast<size_t>(n)), *this));
      track_request(was_mid_request);
      // Stopped reading (backpressure, a job, closing); a lingering close drained already.
      if (closed() || lingering_ || !(registered_ & EPOLLIN)) return;
      if (static_cast<size_t>(n) < buf.size()) {
        // A short read from a stream socket means its receive queue is empty (epoll(7)), so
        // neither mode needs the extra recv() that would only return EAGAIN; and if the FIN
        // was already queued when epoll reported, no data can follow it.
        if (events & (EPOLLRDHUP | EPOLLHUP)) peer_closed();
        return;
      }
      // A full buffer: level-triggered epoll reports the rest next round (fair to the other
      // connections); edge-triggered must drain now or never hear of it again.
      if (!edge) return;
      continue;
    }
    if (n == 0) {
      peer_closed();
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    close_for_errno(errno);
    return;
  }
}

void Connection::write(std::span<const char> bytes) {
  if (closed() || bytes.empty()) return;
  if (out_.empty()) {
    const char* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
      ssize_t n = ::send(fd_.get(), p, left, MSG_NOSIGNAL);
      if (n >= 0) {
        loop_.counters_local().add_local(Counter::kBytesOut, static_cast<uint64_t>(n));
        p += n;
        left -= static_cast<size_t>(n);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      close_for_errno(errno);
      return;
    }
    if (left == 0) return;
    bytes = std::span<const char>(p, left);
  }
  out_.append(bytes);
  after_output();
}

// Called when output was queued: arms EPOLLOUT and applies backpressure.
void Connection::after_output() {
  if (!paused_ && out_.size() > loop_.context().options.max_pending_bytes) {
    paused_ = true;
    loop_.counters_local().add_local(Counter::kBackpressureStalls);
  }
  update_interest();
}

void Connection::flush() {
  while (!out_.empty()) {
    ssize_t n = ::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      loop_.counters_local().add_local(Counter::kBytesOut, static_cast<uint64_t>(n));
      out_.consume(static_cast<size_t>(n));
      touch();
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // EPOLLOUT stays armed
    close_for_errno(errno);
    return;
  }
  out_.shrink_if_empty(kKeepOutputBytes);
  paused_ = false;  // drained: resume reading
  if (peer_closed_ && !owed()) {
    close(Counter::kClosedByPeer);
    return;
  }
  if (close_after_flush_ && !lingering_) {
    begin_linger();
    return;
  }
  update_interest();
}

void Connection::apply(HandlerStatus status) {
  if (closed()) return;
  switch (status) {
    case HandlerStatus::kContinue:
      break;
    case HandlerStatus::kCloseAfterFlush:
      close_after_flush_ = true;
      if (out_.empty()) {
        if (peer_closed_) {
          close(Counter::kClosedByServer);  // the peer's FIN was read: nothing left to discard
        } else {
          begin_linger();
        }
        return;
      }
      break;
    case HandlerStatus::kAwaitJob:
      break;  // submit() set job_outstanding_
  }
  update_interest();
}

void Connection::peer_closed() {
  peer_closed_ = true;
  if (out_.empty() && !owed()) {
    close(Counter::kClosedByPeer);
    return;
  }
  update_interest();  // stop reading (a level-triggered EOF would fire forever)
}

void Connection::update_interest() {
  if (closed()) return;
  uint32_t want = 0;
  if (lingering_ || (!paused_ && !peer_closed_ && !close_after_flush_ && !job_outstanding_ &&
                     handler_->want_read())) {
    want |= EPOLLIN | EPOLLRDHUP;
  }
  if (!out_.empty()) want |= EPOLLOUT;
  if (loop_.context().edge_triggered) want |= EPOLLET;
  if (want == registered_) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.ptr = this;
  if (::epoll_ctl(loop_.epoll_fd(), EPOLL_CTL_MOD, fd_.get(), &ev) != 0) {
    close(Counter::kErrorsOther);
    return;
  }
  registered_ = want;
}

void Connection::on_timer() {
  if (closed()) return;
  TimerWheel& timers = loop_.timers();
  const uint64_t now = timers.now();
  if (lingering_) {
    if (now >= linger_deadline_) {
      close(Counter::kClosedByServer);
    } else {
      timers.schedule(*this, linger_deadline_);
    }
    return;
  }
  const uint64_t idle = loop_.idle_ticks();
  if (idle == 0) return;
  if (owed()) {
    timers.schedule(*this, now + idle);  // the server owes the work, not the peer
    return;
  }
  uint64_t due = last_active_ + idle;
  // A request still incomplete after the idle timeout is closed even if bytes trickle in.
  if (handler_->mid_request()) due = std::min(due, request_started_ + idle);
  if (due > now) {
    timers.schedule(*this, due);  // there was IO since: lazily re-armed
    return;
  }
  close(Counter::kClosedIdle);
}

void Connection::track_request(bool was_mid_request) {
  if (closed()) return;
  if (handler_->mid_request() && (!was_mid_request || answered_)) {
    request_started_ = loop_.timers().now();
  }
}

void Connection::count_requests(uint64_t n) {
  if (n == 0) return;
  loop_.counters_local().add_local(Counter::kRequests, n);
  answered_ = true;
}

void Connection::begin_linger() {
  lingering_ = true;
  linger_left_ = kLingerBytes;
  if (::shutdown(fd_.get(), SHUT_WR) != 0) {
    close(Counter::kClosedByServer);  // e.g. ENOTCONN: the peer is gone already
    return;
  }
  linger_deadline_ = loop_.timers().now() + loop_.linger_ticks();
  loop_.timers().schedule(*this, linger_deadline_);
  update_interest();
  // Input may be queued already (edge-triggered epoll would not report it again).
  if (!closed()) discard_input();
}

void Connection::discard_input() {
  std::span<char> buf = loop_.read_buffer();
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf.data(), std::min(buf.size(), linger_left_), 0);
    if (n > 0) {
      loop_.counters_local().add_local(Counter::kBytesIn, static_cast<uint64_t>(n));
      linger_left_ -= static_cast<size_t>(n);
      if (linger_left_ == 0) break;
      continue;  // bounded by linger_left_
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    break;  // EOF (the peer read the response and closed), or reset
  }
  close(Counter::kClosedByServer);
}

bool Connection::submit(Job& job) {
  WorkerPool* pool = loop_.context().pool;
  if (pool == nullptr || closed()) return false;
  job.owner_ = this;
  job.loop_ = &loop_;
  job_outstanding_ = true;
  pool->submit(&job);
  return true;
}

void Connection::on_job_done(Job& job) {
  job_outstanding_ = false;
  if (closed()) {
    schedule_destroy();  // close() deferred the destruction to this point
    return;
  }
  touch();
  const bool was_mid_request = handler_->mid_request();
  answered_ = false;
  apply(handler_->on_job_done(job, *this));
  track_request(was_mid_request);
  if (!closed() && peer_closed_ && out_.empty() && !owed()) close(Counter::kClosedByPeer);
}

void Connection::on_async_output(HandlerStatus status) {
  if (closed()) {
    if (!owed()) schedule_destroy();  // close() deferred the destruction to this point
    return;
  }
  touch();
  apply(status);  // sends, and reads again (update_interest)
  if (!closed() && peer_closed_ && out_.empty() && !owed()) close(Counter::kClosedByPeer);
}

void Connection::close_for_errno(int err) {
  close(err == ECONNRESET || err == EPIPE ? Counter::kErrorsReset : Counter::kErrorsOther);
}

void Connection::close(Counter reason) {
  if (closed()) return;
  loop_.timers().cancel(*this);
  fd_.reset();  // also removes it from the epoll set (the fd is never duplicated)
  loop_.counters_local().add_local(reason);
  loop_.context().connections.release();
  if (!owed()) schedule_destroy();
}

void Connection::schedule_destroy() {
  // Once only: a visit that completes on a live connection can close it from inside
  // on_async_output() (its response's write fails: the peer reset meanwhile), and then find it
  // closed and owing nothing. Scheduled twice, it was deleted twice (a SIGSEGV in the cluster
  // lab when a paused replicated-sync node resumed to find HAProxy had reset its connections).
  if (destroy_scheduled_) return;
  destroy_scheduled_ = true;
  loop_.destroy_later(this);
}

}  // namespace iomb::nio
