// RingLoop's --protocol http path (declared in ring_loop.h): received provided buffers are fed
// to the slot's HttpCodec and go back to the ring at once (the codec copies what it keeps);
// responses are sent from the slot's own output buffer, taken from the codec by swapping
// (no copy), one send in flight per socket; backpressure, the slowloris request deadline and
// the lingering close. Ring thread only.
//
// Handlers run inline on the ring thread: --work-us and --block-us stall every connection of
// this ring for their duration (a blocking call inside a proactor is still a blocking call).
#include <sys/socket.h>

#include <cerrno>

#include "aio/ring_loop.h"

namespace iomb::aio {
namespace {

// Lingering close bounds, as bio's: after the closing response and shutdown(SHUT_WR), input is
// read and discarded until EOF, for at most this long and this much.
constexpr uint32_t kLingerMs = 2000;
constexpr uint64_t kLingerBytes = 1 << 20;

}  // namespace

void HttpConnection::on_codec_output(http::HttpCodec& c) {
  loop_.counters_.add_local(Counter::kRequests, c.take_responses());
  if (loop_.table_[slot_].closing) {
    loop_.maybe_release(slot_);  // it was waiting for this visit
  } else {
    loop_.http_flush(slot_);
  }
}

void RingLoop::http_open(uint32_t slot) {
  if (slot >= http_conns_.size()) http_conns_.resize(slot + 1);
  if (!http_conns_[slot]) http_conns_[slot] = std::make_unique<HttpConnection>(*this, slot);
  http_conns_[slot]->open(*http_);
}

Counter RingLoop::close_reason(uint32_t slot, Counter reason) {
  if (http_ != nullptr && http_conn(slot).lingering) return Counter::kClosedByServer;
  return reason;
}

void RingLoop::http_on_data(uint32_t slot, uint16_t bid, uint32_t len) {
  HttpConnection& h = http_conn(slot);
  http::HttpCodec& codec = *h.codec;
  counters_.add_local(Counter::kBytesIn, len);
  table_.touch(slot, now_ms_);
  if (codec.should_close()) {
    // After the closing response (or while lingering) input is ignored, up to a bound.
    buffers_->recycle(bid);
    h.discarded += len;
    if (h.discarded > kLingerBytes) close_connection(slot, Counter::kClosedByServer);
    return;
  }
  const bool was_mid_request = codec.mid_request();
  codec.on_input(std::string_view(buffers_->data(bid), len));
  buffers_->recycle(bid);  // the codec copied whatever it keeps
  const uint64_t answered = codec.take_responses();
  if (answered > 0) counters_.add_local(Counter::kRequests, answered);
  // The idle sweep closes a silent client; this closes one that trickles a request byte by
  // byte (slowloris), each byte keeping it off the idle list's head.
  if (options_.idle_timeout_ms > 0 && codec.mid_request()) {
    if (!was_mid_request || answered > 0) {
      h.request_started_ms = now_ms_;
    } else if (now_ms_ - h.request_started_ms > options_.idle_timeout_ms) {
      close_connection(slot, Counter::kClosedIdle);
      return;
    }
  }
  http_flush(slot);
}

void RingLoop::submit_http_send(uint32_t slot) {
  Connection& c = table_[slot];
  HttpConnection& h = http_conn(slot);
  io_uring_sqe* sqe = slot_sqe(slot, Op::kSend, kNoBuffer);
  const char* data = h.out.data() + h.out_sent;
  const size_t len = h.out.size() - h.out_sent;
  if (aio_.zerocopy_send) {
    io_uring_prep_send_zc(sqe, c.fd, data, len, MSG_NOSIGNAL, 0);
  } else {
    io_uring_prep_send(sqe, c.fd, data, len, MSG_NOSIGNAL);
  }
  if (is_fixed()) sqe->flags |= IOSQE_FIXED_FILE;
  c.send_in_flight = true;
}

void RingLoop::http_on_send(uint32_t slot, const io_uring_cqe& cqe) {
  Connection& c = table_[slot];
  HttpConnection& h = http_conn(slot);
  // send_zc: F_MORE announces the notification after which the kernel no longer reads `out`.
  if (cqe.flags & IORING_CQE_F_MORE) ++h.zc_pending;
  c.send_in_flight = false;
  if (c.closing) return;
  const int res = cqe.res;
  if (handle_failed_send(slot, res, &RingLoop::submit_http_send)) return;
  counters_.add_local(Counter::kBytesOut, static_cast<uint64_t>(res));
  h.out_sent += static_cast<size_t>(res);
  table_.touch(slot, now_ms_);
  if (h.out_sent < h.out.size()) {
    submit_http_send(slot);  // a short send: the rest, from the same stable buffer
    return;
  }
  // `out` is left as it is (not even cleared: clear() writes its first byte) until any
  // zero-copy notification arrived; http_flush swaps it back into the codec then.
  http_flush(slot);
}

void RingLoop::http_on_notif(uint32_t slot) {
  HttpConnection& h = http_conn(slot);
  --h.zc_pending;
  if (!table_[slot].closing) http_flush(slot);
}

void RingLoop::http_on_eof(uint32_t slot) {
  if (http_conn(slot).lingering) {
    close_connection(slot, Counter::kClosedByServer);
    return;
  }
  http_flush(slot);  // closes once flushed (and once a pending visit, if any, completed)
}

void RingLoop::http_flush(uint32_t slot) {
  Connection& c = table_[slot];
  if (c.closing) return;
  HttpConnection& h = http_conn(slot);
  http::HttpCodec& codec = *h.codec;
  const bool out_done = h.out_sent == h.out.size();
  if (!c.send_in_flight && out_done && h.zc_pending == 0 && codec.pending_output() > 0) {
    codec.take_output(h.out);  // swaps: the codec gets the old buffer's capacity back
    h.out_sent = 0;
    submit_http_send(slot);
  }
  const uint64_t pending = (h.out.size() - h.out_sent) + codec.pending_output();
  c.pending_bytes = pending;
  if (pending == 0 && !c.send_in_flight) {
    if (codec.should_close()) {
      if (!h.lingering) start_linger(slot);
      return;
    }
    if (c.peer_eof && !codec.busy()) {
      close_connection(slot, Counter::kClosedByPeer);
      return;
    }
  }
  if (codec.should_close() || c.peer_eof) return;  // input is discarded / over anyway
  // Backpressure: stop reading past --max-pending-bytes of unsent output, or while the codec
  // stashes too much input (an asynchronous visit outstanding); resume below half.
  if (!c.paused) {
    if (pending <= options_.max_pending_bytes && codec.want_read()) return;
    c.paused = true;
    counters_.add_local(Counter::kBackpressureStalls);
    if (c.recv_armed && !c.recv_cancelled) submit_cancel_recv(slot);
  } else if (pending <= options_.max_pending_bytes / 2 && codec.want_read()) {
    c.paused = false;
    if (!c.recv_armed) arm_recv(slot);
  }
}

void RingLoop::start_linger(uint32_t slot) {
  Connection& c = table_[slot];
  HttpConnection& h = http_conn(slot);
  if (c.peer_eof) {
    // Everything the peer sent has been read: close() sends a plain FIN, no RST.
    close_connection(slot, Counter::kClosedByServer);
    return;
  }
  // Closing with unread input would make the kernel send RST, which can destroy the response
  // before the client reads it: send FIN, then read and discard until the client closes
  // (bounded by kLingerMs and kLingerBytes).
  h.lingering = true;
  h.linger_started_ms = now_ms_;
  io_uring_sqe* sqe = slot_sqe(slot, Op::kShutdown);
  io_uring_prep_shutdown(sqe, c.fd, SHUT_WR);
  if (is_fixed()) sqe->flags |= IOSQE_FIXED_FILE;
  lingering_.push_back({slot, c.generation});
  c.paused = false;
  // A recv with a cancel in flight is re-armed by on_recv when its final CQE arrives.
  if (!c.recv_armed && !c.starved) arm_recv(slot);
}

void RingLoop::sweep_lingering() {
  while (lingering_pos_ < lingering_.size()) {
    const LingerEntry e = lingering_[lingering_pos_];
    Connection& c = table_[e.slot];
    if (c.in_use && c.generation == e.generation && !c.closing) {
      if (now_ms_ - http_conn(e.slot).linger_started_ms < kLingerMs) break;
      close_connection(e.slot, Counter::kClosedByServer);
    }
    ++lingering_pos_;
  }
  if (lingering_pos_ == lingering_.size()) {
    lingering_.clear();
    lingering_pos_ = 0;
  }
}

}  // namespace iomb::aio
