// RingLoop's per-connection state machine (declared in ring_loop.h): a connection's recv
// (multishot, from the provided buffer ring), its sends (the received buffers queued as they
// are, one send in flight per connection), backpressure (reading pauses past
// --max-pending-bytes or the per-connection buffer cap and resumes once sends drain), and its
// close: cancel the recv, flush or drop the queue, close the socket, and free the slot only
// when no SQE of it is still in the kernel. Ring thread only.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "aio/ring_loop.h"

namespace iomb::aio {

void RingLoop::arm_recv(uint32_t slot) {
  Connection& c = table_[slot];
  io_uring_sqe* sqe = slot_sqe(slot, Op::kRecv);
  io_uring_prep_recv_multishot(sqe, c.fd, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT | (is_fixed() ? IOSQE_FIXED_FILE : 0);
  sqe->buf_group = buffers_->group();
  c.recv_armed = true;
  c.recv_cancelled = false;
}

void RingLoop::submit_send(uint32_t slot) {
  Connection& c = table_[slot];
  const uint16_t bid = c.queue_head;
  const BufferMeta& m = buffers_->meta(bid);
  io_uring_sqe* sqe = slot_sqe(slot, Op::kSend, bid);
  const char* data = buffers_->data(bid) + m.offset;
  const size_t len = m.length - m.offset;
  // A zero-copy send pins its buffer until the bytes have left the socket (on loopback: until
  // the peer has room for them), so a peer that does not read pins it for good, and no copy
  // can free it. Zero-copy therefore stops while the ring is low (relieve_ring_pressure's
  // threshold), keeping a reserve the pinning cannot take; a copy gains nothing from it.
  const bool zero_copy = aio_.zerocopy_send && buffers_->in_ring(bid) &&
                         buffers_->available() >= buffers_->count() / 4;
  if (zero_copy) {
    io_uring_prep_send_zc(sqe, c.fd, data, len, MSG_NOSIGNAL, 0);
  } else {
    io_uring_prep_send(sqe, c.fd, data, len, MSG_NOSIGNAL);
  }
  if (is_fixed()) sqe->flags |= IOSQE_FIXED_FILE;
  c.send_in_flight = true;
}

void RingLoop::submit_cancel_recv(uint32_t slot) {
  Connection& c = table_[slot];
  const uint64_t recv_ud = UserData{Op::kRecv, c.generation, 0, slot}.encode();
  io_uring_sqe* sqe = slot_sqe(slot, Op::kCancel);
  io_uring_prep_cancel64(sqe, recv_ud, 0);
  c.recv_cancelled = true;
}

void RingLoop::on_recv(uint32_t slot, const io_uring_cqe& cqe) {
  Connection& c = table_[slot];
  const int res = cqe.res;
  if (!(cqe.flags & IORING_CQE_F_MORE)) {
    c.recv_armed = false;
    c.recv_cancelled = false;
  }
  if (cqe.flags & IORING_CQE_F_BUFFER) {
    const uint16_t bid = static_cast<uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    buffers_->on_delivered(bid, res > 0 ? static_cast<uint32_t>(res) : 0);
    if (res > 0 && !c.closing) {
      on_recv_data(slot, bid, static_cast<uint32_t>(res));
    } else {
      buffers_->recycle(bid);
    }
  }
  if (c.closing) return;
  if (res == 0) {
    c.peer_eof = true;
    if (http_ != nullptr) {
      http_on_eof(slot);
    } else {
      close_if_flushed(slot);
    }
    return;
  }
  if (res < 0) {
    switch (-res) {
      case ENOBUFS:
        // The buffer ring ran dry. Re-arming now would fail again at once: queue the
        // connection and re-arm it when buffers come back (rearm_starved), without holding
        // up anyone else.
        ++buffer_ring_dry_;
        if (!c.paused && !c.starved) {
          c.starved = true;
          starved_.push_back(slot);
        }
        return;
      case ECANCELED:
        break;  // backpressure pause (resumed from maybe_resume)
      case ECONNRESET:
      case EPIPE:
        close_connection(slot, close_reason(slot, Counter::kErrorsReset));
        return;
      case EINTR:
      case EAGAIN:
        break;
      default:
        close_connection(slot, close_reason(slot, Counter::kErrorsOther));
        return;
    }
  }
  // A multishot recv can also end without an error (e.g. the CQ overflowed): re-arm.
  if (!c.recv_armed && !c.paused && !c.peer_eof && !c.close_after_flush && !c.starved) {
    arm_recv(slot);
  }
}

void RingLoop::on_recv_data(uint32_t slot, uint16_t bid, uint32_t len) {
  if (http_ != nullptr) {
    http_on_data(slot, bid, len);
    return;
  }
  Connection& c = table_[slot];
  counters_.add_local(Counter::kBytesIn, len);
  counters_.add_local(Counter::kRequests);
  table_.touch(slot, now_ms_);
  // Echo answers from the buffer the bytes arrived in: queue it for sending unchanged.
  if (c.copying && append_copy(slot, buffers_->data(bid), len)) {
    copied_bytes_ += len;  // behind copies: copied as well, to keep the byte order
    buffers_->recycle(bid);
  } else {
    queue_push(c, *buffers_, bid);
  }
  c.pending_bytes += len;
  if (!c.send_in_flight) submit_send(slot);
  maybe_pause(slot);
}

bool RingLoop::handle_failed_send(uint32_t slot, int res, void (RingLoop::*resubmit)(uint32_t)) {
  if (res > 0) return false;
  switch (-res) {
    case EINTR:
    case EAGAIN:
      (this->*resubmit)(slot);
      break;
    case ECONNRESET:
    case EPIPE:
      close_connection(slot, Counter::kErrorsReset);
      break;
    default:  // includes 0: nothing sent of a non-empty buffer, the socket is unusable
      close_connection(slot, Counter::kErrorsOther);
      break;
  }
  return true;
}

void RingLoop::on_send(uint32_t slot, const UserData& ud, const io_uring_cqe& cqe) {
  Connection& c = table_[slot];
  // With send_zc, F_MORE on the send's CQE announces the notification that will release the
  // buffer; until then the kernel may still read from it.
  if (cqe.flags & IORING_CQE_F_MORE) ++buffers_->meta(ud.buffer).zc_refs;
  c.send_in_flight = false;
  const bool cancelled_by_us = c.send_cancelled;
  c.send_cancelled = false;
  if (c.closing) return;
  const int res = cqe.res;
  if (res == -ECANCELED && cancelled_by_us) {
    // Stuck under ring pressure (relieve_ring_pressure): resend from a copy.
    if (copy_head_out_of_ring(slot)) {
      submit_send(slot);
    } else {
      shed_stuck(slot);
    }
    return;
  }
  if (handle_failed_send(slot, res, &RingLoop::submit_send)) return;
  BufferMeta& m = buffers_->meta(ud.buffer);
  const uint32_t sent = static_cast<uint32_t>(res);
  counters_.add_local(Counter::kBytesOut, sent);
  c.pending_bytes -= sent;
  m.offset += sent;
  table_.touch(slot, now_ms_);
  if (m.offset >= m.length) queue_pop(c, *buffers_);  // else a short send: send the rest
  if (!c.queue_empty()) {
    submit_send(slot);
  } else {
    c.copying = false;  // drained: back to sending straight from the ring
    close_if_flushed(slot);
    if (c.closing) return;
  }
  maybe_resume(slot);
}

void RingLoop::close_connection(uint32_t slot, Counter reason) {
  IOMB_CHECK_IN_LOOP_THREAD(loop_thread_);
  Connection& c = table_[slot];
  if (c.closing) return;
  c.closing = true;
  counters_.add_local(reason);
  table_.idle_remove(slot);
  if (c.recv_armed || c.send_in_flight) {
    // One cancel for every request on this socket (recv and send); their CQEs arrive with
    // -ECANCELED (or their result, if they completed first), then the slot can go.
    io_uring_sqe* sqe = slot_sqe(slot, Op::kCancel);
    io_uring_prep_cancel_fd(
        sqe, c.fd, IORING_ASYNC_CANCEL_ALL | (is_fixed() ? IORING_ASYNC_CANCEL_FD_FIXED : 0));
  }
  maybe_release(slot);
}

void RingLoop::close_if_flushed(uint32_t slot) {
  Connection& c = table_[slot];
  if (c.closing || !c.queue_empty() || c.send_in_flight) return;
  if (c.peer_eof) {
    close_connection(slot, Counter::kClosedByPeer);
  } else if (c.close_after_flush) {
    close_connection(slot, Counter::kClosedByServer);
  }
}

void RingLoop::maybe_release(uint32_t slot) {
  Connection& c = table_[slot];
  if (!c.closing || c.outstanding != 0) return;
  if (c.fd_open) {
    io_uring_sqe* sqe = slot_sqe(slot, Op::kClose);
    if (is_fixed()) {
      io_uring_prep_close_direct(sqe, static_cast<unsigned>(c.fd));
    } else {
      io_uring_prep_close(sqe, c.fd);
    }
    c.fd_open = false;
    return;
  }
  if (http_ != nullptr) {
    // An asynchronous session store still owes this codec a visit (it holds a reference to
    // it): keep the slot until the answer arrives (HttpConnection::on_codec_output).
    if (http_conn(slot).codec->busy()) return;
    http_conn(slot).release();
  }
  queue_clear(c, *buffers_);
  table_.free(slot);
  connections_.release();
}

void RingLoop::maybe_pause(uint32_t slot) {
  Connection& c = table_[slot];
  if (c.paused) return;
  const uint32_t cap =
      std::max(4u, std::min(per_connection_buffer_cap_, buffers_->available() / 4));
  if (c.pending_bytes < options_.max_pending_bytes && c.queued_buffers < cap) return;
  c.paused = true;
  counters_.add_local(Counter::kBackpressureStalls);
  if (c.recv_armed && !c.recv_cancelled) submit_cancel_recv(slot);
}

void RingLoop::maybe_resume(uint32_t slot) {
  Connection& c = table_[slot];
  if (!c.paused) return;
  if (c.pending_bytes > options_.max_pending_bytes / 2 || c.queued_buffers > 2) return;
  c.paused = false;
  if (!c.recv_armed && !c.peer_eof && !c.close_after_flush) arm_recv(slot);
}

void RingLoop::rearm_starved() {
  uint32_t budget = buffers_->available();
  while (budget > 0 && starved_pos_ < starved_.size()) {
    const uint32_t slot = starved_[starved_pos_++];
    Connection& c = table_[slot];
    if (!c.in_use || !c.starved) continue;
    c.starved = false;
    if (c.closing || c.paused || c.peer_eof || c.close_after_flush || c.recv_armed) continue;
    arm_recv(slot);
    --budget;
  }
  if (starved_pos_ == starved_.size()) {
    starved_.clear();
    starved_pos_ = 0;
  }
}

}  // namespace iomb::aio
