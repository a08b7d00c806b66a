// BufferRing: one provided-buffer ring (IORING_REGISTER_PBUF_RING) and the buffer memory
// behind it, plus per-buffer bookkeeping (send-queue links, zero-copy references); and, after
// the ring's buffers in the same id space, overflow buffers: plain memory, never given to the
// kernel, that a connection's queued data is copied into when it would otherwise hold ring
// buffers for long (a peer that does not read). Owned and used by one ring thread only.
//
// liburing 2.3 has no io_uring_setup_buf_ring(): the ring memory is mmap'd here (page aligned,
// as the kernel requires), registered with io_uring_register_buf_ring(), and filled with
// io_uring_buf_ring_add()/io_uring_buf_ring_advance(). Buffer memory is an anonymous mapping
// touched lazily, so RSS grows with the buffers actually used, not with the count.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>

namespace iomb::aio {

inline constexpr uint16_t kNoBuffer = 0xffff;

// Bookkeeping for one buffer while the application holds it (between the recv CQE that
// delivered it and its recycling).
struct BufferMeta {
  uint16_t next = kNoBuffer;  // next buffer in the owning connection's send queue
  uint16_t zc_refs = 0;       // zero-copy notifications still to come for this buffer
  uint32_t offset = 0;        // bytes already sent
  uint32_t length = 0;        // bytes received into it
  bool queued = false;        // in a send queue (not yet fully sent)
};

class BufferRing {
 public:
  // Maps and registers `count` buffers of `size` bytes as group `group` on `ring`, and reserves
  // address space for the overflow buffers (ids count .. kNoBuffer - 1). `count` must be a
  // power of two <= 32768. `overflow_bytes` (0 = 1 GiB) bounds the overflow buffers' space.
  // Throws std::system_error.
  BufferRing(io_uring* ring, uint16_t group, uint32_t count, uint32_t size,
             uint64_t overflow_bytes = 0);
  // Unmaps the memory. The io_uring must already be torn down (io_uring_queue_exit drops the
  // registration and guarantees the kernel no longer writes into the buffers).
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  uint16_t group() const { return group_; }
  uint32_t buffer_size() const { return size_; }
  uint32_t count() const { return count_; }
  // Buffers the kernel can still pick (exact once every delivering CQE has been seen).
  uint32_t available() const { return count_ - held_; }
  bool in_ring(uint16_t bid) const { return bid < count_; }
  // Overflow buffers not in use.
  uint32_t overflow_available() const { return overflow_count_ - overflow_used_; }

  char* data(uint16_t bid) { return memory_ + static_cast<size_t>(bid) * size_; }
  BufferMeta& meta(uint16_t bid) { return meta_[bid]; }

  // A CQE delivered buffer `bid` holding `length` bytes.
  void on_delivered(uint16_t bid, uint32_t length);
  // An unused overflow buffer (length 0), or kNoBuffer if all are in use.
  uint16_t allocate_overflow();
  // Gives a ring buffer back to the kernel (visible at the next publish()), or an overflow
  // buffer back to the free list.
  void recycle(uint16_t bid);
  // Recycles `bid` if nothing refers to it any more (sent and no zero-copy notification
  // pending). Returns whether it was recycled.
  bool release_if_done(uint16_t bid);
  // Makes the recycled buffers visible to the kernel (one store-release for the batch).
  // Returns how many were published.
  uint32_t publish();

 private:
  void unmap_all();

  io_uring_buf_ring* ring_ = nullptr;
  size_t ring_bytes_ = 0;
  char* memory_ = nullptr;
  size_t memory_bytes_ = 0;
  BufferMeta* meta_ = nullptr;
  size_t meta_bytes_ = 0;
  uint16_t group_;
  uint32_t count_;
  uint32_t size_;
  int mask_;
  uint32_t held_ = 0;
  uint32_t unpublished_ = 0;
  uint32_t overflow_count_;
  uint32_t overflow_used_ = 0;
  uint32_t overflow_touched_ = 0;       // overflow ids [count_, count_ + touched) were handed out
  uint16_t overflow_free_ = kNoBuffer;  // free overflow buffers, linked through BufferMeta::next
};

}  // namespace iomb::aio
