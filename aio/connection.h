// Connection: the state of one connection slot of a ring loop (what is armed, what is queued
// to send, why and how it is closing), kept small so idle connections cost little memory;
// and its send queue, a list of buffers (provided or overflow) linked through BufferRing
// metadata (so the queue needs no memory of its own). Owned and used by one ring thread only.
#pragma once

#include <cstdint>

#include "aio/buffer_ring.h"
#include "common/counters.h"

namespace iomb::aio {

inline constexpr uint32_t kNoSlot = 0xffffffffu;

struct Connection {
  uint64_t pending_bytes = 0;    // received but not yet sent
  int32_t fd = -1;               // socket fd, or direct-descriptor index with --fixed-files
  uint32_t idle_prev = kNoSlot;  // idle list (least recently active first)
  uint32_t idle_next = kNoSlot;
  uint32_t last_active_ms = 0;  // loop clock; compared by unsigned difference
  uint16_t generation = 0;      // bumped when the slot is freed; part of every user_data
  uint16_t outstanding = 0;     // SQEs of this slot whose final CQE has not arrived
  uint16_t queue_head = kNoBuffer;
  uint16_t queue_tail = kNoBuffer;
  uint16_t queued_buffers = 0;
  bool in_use = false;
  bool fd_open = false;
  bool recv_armed = false;      // a multishot recv is active (its final CQE not seen)
  bool recv_cancelled = false;  // a cancel for the active recv was submitted
  bool send_in_flight = false;
  bool send_cancelled = false;     // a cancel for the in-flight send was submitted (ring pressure)
  bool paused = false;             // backpressure: reading stopped until the backlog drains
  bool starved = false;            // recv ended with ENOBUFS; waiting in the loop's starved queue
  bool copying = false;            // queue copied out of the ring: new data is copied too, until
                                   // the queue drains (keeps the byte order)
  bool peer_eof = false;           // the peer sent FIN: flush, then close
  bool close_after_flush = false;  // the protocol asked to close once flushed
  bool closing = false;            // no new operations; freed once nothing is outstanding

  bool queue_empty() const { return queue_head == kNoBuffer; }
};
static_assert(sizeof(Connection) == 48, "an idle connection's whole cost; keep it small");

// Send-queue operations on a connection's buffer list.
inline void queue_push(Connection& c, BufferRing& buffers, uint16_t bid) {
  BufferMeta& m = buffers.meta(bid);
  m.queued = true;
  m.next = kNoBuffer;
  if (c.queue_tail == kNoBuffer) {
    c.queue_head = bid;
  } else {
    buffers.meta(c.queue_tail).next = bid;
  }
  c.queue_tail = bid;
  ++c.queued_buffers;
}

// Removes the head (fully sent) and releases it unless a zero-copy notification is pending.
inline void queue_pop(Connection& c, BufferRing& buffers) {
  uint16_t bid = c.queue_head;
  BufferMeta& m = buffers.meta(bid);
  c.queue_head = m.next;
  if (c.queue_head == kNoBuffer) c.queue_tail = kNoBuffer;
  --c.queued_buffers;
  m.queued = false;
  m.next = kNoBuffer;
  buffers.release_if_done(bid);
}

// Drops everything still queued (the connection is being freed: nothing is in flight).
void queue_clear(Connection& c, BufferRing& buffers);

}  // namespace iomb::aio
