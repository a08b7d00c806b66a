// RingLoop's defence of its buffer ring (declared in ring_loop.h). Echo sends a received
// buffer as it is, so a ring buffer stays held until the peer has taken its bytes; peers that
// never read would keep theirs for ever and, enough of them, leave the ring dry for every
// other connection (each recv ending with ENOBUFS). While fewer than a quarter of the ring's
// buffers are free, the queues of connections that make no progress are copied into overflow
// buffers (BufferRing) and their ring buffers recycled; a send stuck on a ring buffer is
// cancelled, and resent from a copy. Connections that keep up are never copied. Ring thread
// only.
#include <algorithm>
#include <cstring>

#include "aio/ring_loop.h"

namespace iomb::aio {
namespace {

// How often the holders are looked at while the ring is low.
constexpr uint32_t kPressureScanMs = 10;
// A send that made no progress (and no data arrived) for this long is stuck: the peer is not
// reading. A peer that reads completes a loopback send within one loop iteration.
constexpr uint32_t kStuckSendMs = 20;

}  // namespace

void RingLoop::relieve_ring_pressure() {
  // HTTP connections hold no ring buffer between completions (the codec copies).
  if (http_ != nullptr || stopping_) return;
  if (buffers_->available() >= buffers_->count() / 4) return;
  if (now_ms_ - last_pressure_scan_ms_ >= kPressureScanMs) {
    last_pressure_scan_ms_ = now_ms_;
    for (uint32_t slot = 0; slot < table_.high_water(); ++slot) {
      const Connection& c = table_[slot];
      if (!c.in_use || c.closing || c.queue_empty()) continue;
      const bool stuck = c.send_in_flight && now_ms_ - c.last_active_ms >= kStuckSendMs;
      if (c.paused || stuck) copy_queue_out_of_ring(slot, stuck);
    }
  }
  // While the ring is dry and its holders are stuck nothing may complete: make sure the loop
  // wakes up to look again.
  if (!pressure_timer_armed_) arm_pressure_timer();
}

void RingLoop::arm_pressure_timer() {
  io_uring_sqe* sqe = ring_->sqe();
  pressure_ts_.tv_sec = 0;
  pressure_ts_.tv_nsec = static_cast<long long>(kPressureScanMs) * 1000000;
  io_uring_prep_timeout(sqe, &pressure_ts_, 0, 0);
  io_uring_sqe_set_data64(sqe, UserData{Op::kPressureTimer}.encode());
  pressure_timer_armed_ = true;
}

void RingLoop::copy_queue_out_of_ring(uint32_t slot, bool cancel_send) {
  Connection& c = table_[slot];
  // Rebuild the queue: the buffer an in-flight send reads stays first and where it is (the
  // kernel may be reading it); every ring buffer behind it is re-queued as a copy.
  uint16_t rest = c.queue_head;
  c.queue_head = c.queue_tail = kNoBuffer;
  c.queued_buffers = 0;
  if (c.send_in_flight) {
    const uint16_t head = rest;
    rest = buffers_->meta(head).next;
    queue_push(c, *buffers_, head);  // keeps its offset
  }
  bool out_of_room = false;
  while (rest != kNoBuffer) {
    const uint16_t bid = rest;
    BufferMeta& m = buffers_->meta(bid);
    rest = m.next;
    const uint32_t len = m.length - m.offset;
    if (buffers_->in_ring(bid) && append_copy(slot, buffers_->data(bid) + m.offset, len)) {
      copied_bytes_ += len;
      m.queued = false;
      m.next = kNoBuffer;
      buffers_->release_if_done(bid);
    } else {
      out_of_room = out_of_room || buffers_->in_ring(bid);
      queue_push(c, *buffers_, bid);  // a copy already, or no overflow buffer left: keep it
    }
  }
  if (out_of_room) {
    shed_stuck(slot);
    return;
  }
  c.copying = true;
  if (cancel_send && c.send_in_flight && !c.send_cancelled && buffers_->in_ring(c.queue_head)) {
    submit_cancel_send(slot);
  }
}

void RingLoop::shed_stuck(uint32_t slot) {
  // Its ring buffers go back once the cancels of its requests complete (maybe_release).
  ++shed_stuck_;
  close_connection(slot, Counter::kClosedByServer);
}

bool RingLoop::copy_head_out_of_ring(uint32_t slot) {
  Connection& c = table_[slot];
  const uint16_t bid = c.queue_head;
  if (bid == kNoBuffer || !buffers_->in_ring(bid)) return true;
  const uint16_t copy = buffers_->allocate_overflow();
  if (copy == kNoBuffer) return false;
  BufferMeta& m = buffers_->meta(bid);
  BufferMeta& cm = buffers_->meta(copy);
  const uint32_t len = m.length - m.offset;  // at most one buffer's size
  std::memcpy(buffers_->data(copy), buffers_->data(bid) + m.offset, len);
  cm.length = len;
  cm.queued = true;
  cm.next = m.next;
  c.queue_head = copy;
  if (c.queue_tail == bid) c.queue_tail = copy;
  copied_bytes_ += len;
  m.queued = false;
  m.next = kNoBuffer;
  buffers_->release_if_done(bid);
  return true;
}

bool RingLoop::append_copy(uint32_t slot, const char* data, uint32_t len) {
  Connection& c = table_[slot];
  const uint32_t size = buffers_->buffer_size();
  // Packing into the tail is safe even while a send reads it: the kernel reads only the
  // bytes it was given, and on_send sends what was appended once those are out.
  uint32_t room = 0;
  if (c.queue_tail != kNoBuffer && !buffers_->in_ring(c.queue_tail)) {
    room = size - buffers_->meta(c.queue_tail).length;
  }
  if (len > room && (len - room + size - 1) / size > buffers_->overflow_available()) return false;
  while (len > 0) {
    if (room == 0) {
      queue_push(c, *buffers_, buffers_->allocate_overflow());
      room = size;
    }
    BufferMeta& m = buffers_->meta(c.queue_tail);
    const uint32_t n = std::min(len, room);
    std::memcpy(buffers_->data(c.queue_tail) + m.length, data, n);
    m.length += n;
    data += n;
    len -= n;
    room -= n;
  }
  return true;
}

void RingLoop::submit_cancel_send(uint32_t slot) {
  Connection& c = table_[slot];
  // Names exactly the send of the head buffer (its user_data carries the buffer id).
  const uint64_t send_ud = UserData{Op::kSend, c.generation, c.queue_head, slot}.encode();
  io_uring_sqe* sqe = slot_sqe(slot, Op::kCancel);
  io_uring_prep_cancel64(sqe, send_ud, 0);
  c.send_cancelled = true;
  ++cancelled_sends_;
}

}  // namespace iomb::aio
