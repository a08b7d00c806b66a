// Implementation of buffer_ring.h.
#include "aio/buffer_ring.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <new>
#include <system_error>

namespace iomb::aio {
namespace {

// Address space reserved for overflow buffers (fewer if the 16-bit ids run out first).
constexpr uint64_t kOverflowReserveBytes = 1ull << 30;

size_t round_to_pages(size_t n) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return (n + page - 1) / page * page;
}

void* map_anonymous(size_t bytes, const char* what) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), what);
  return p;
}

}  // namespace

BufferRing::BufferRing(io_uring* ring, uint16_t group, uint32_t count, uint32_t size,
                       uint64_t overflow_bytes)
    : group_(group),
      count_(count),
      size_(size),
      mask_(io_uring_buf_ring_mask(count)),
      overflow_count_(static_cast<uint32_t>(std::min<uint64_t>(
          kNoBuffer - count,
          (overflow_bytes != 0 ? overflow_bytes : kOverflowReserveBytes) / size))) {
  if (count == 0 || count > 32768 || (count & (count - 1)) != 0) {
    throw std::system_error(EINVAL, std::generic_category(),
                            "buffer ring: count must be a power of two <= 32768");
  }
  ring_bytes_ = round_to_pages(sizeof(io_uring_buf) * count);
  // Ring and overflow buffers in one mapping: address space only, pages come as they are
  // used.
  const size_t ids = static_cast<size_t>(count) + overflow_count_;
  memory_bytes_ = ids * size;
  meta_bytes_ = round_to_pages(sizeof(BufferMeta) * ids);
  ring_ = static_cast<io_uring_buf_ring*>(map_anonymous(ring_bytes_, "mmap(buffer ring)"));
  memory_ = static_cast<char*>(map_anonymous(memory_bytes_, "mmap(buffers)"));
  meta_ = static_cast<BufferMeta*>(map_anonymous(meta_bytes_, "mmap(buffer metadata)"));
  for (uint32_t i = 0; i < count; ++i) new (&meta_[i]) BufferMeta();

  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(ring_);
  reg.ring_entries = count;
  reg.bgid = group;
  int rc = io_uring_register_buf_ring(ring, &reg, 0);
  if (rc != 0) {
    unmap_all();
    throw std::system_error(-rc, std::generic_category(), "io_uring_register_buf_ring");
  }
  io_uring_buf_ring_init(ring_);
  for (uint32_t i = 0; i < count; ++i) {
    io_uring_buf_ring_add(ring_, data(static_cast<uint16_t>(i)), size, static_cast<uint16_t>(i),
                          mask_, static_cast<int>(i));
  }
  io_uring_buf_ring_advance(ring_, static_cast<int>(count));
}

BufferRing::~BufferRing() { unmap_all(); }

void BufferRing::unmap_all() {
  if (meta_) ::munmap(meta_, meta_bytes_);
  if (memory_) ::munmap(memory_, memory_bytes_);
  if (ring_) ::munmap(ring_, ring_bytes_);
  meta_ = nullptr;
  memory_ = nullptr;
  ring_ = nullptr;
}

void BufferRing::on_delivered(uint16_t bid, uint32_t length) {
  ++held_;
  BufferMeta& m = meta_[bid];
  m.next = kNoBuffer;
  m.offset = 0;
  m.length = length;
  m.queued = false;
}

uint16_t BufferRing::allocate_overflow() {
  uint16_t bid;
  if (overflow_free_ != kNoBuffer) {
    bid = overflow_free_;
    overflow_free_ = meta_[bid].next;
  } else if (overflow_touched_ < overflow_count_) {
    bid = static_cast<uint16_t>(count_ + overflow_touched_++);
  } else {
    return kNoBuffer;
  }
  ++overflow_used_;
  new (&meta_[bid]) BufferMeta();
  return bid;
}

void BufferRing::recycle(uint16_t bid) {
  if (!in_ring(bid)) {
    meta_[bid].next = overflow_free_;
    overflow_free_ = bid;
    if (--overflow_used_ == 0) {
      // The last copied queue drained: return the pages (one syscall per episode of ring
      // pressure, not per buffer) and hand ids out from the start again.
      ::madvise(data(static_cast<uint16_t>(count_)), static_cast<size_t>(overflow_touched_) * size_,
                MADV_DONTNEED);
      overflow_touched_ = 0;
      overflow_free_ = kNoBuffer;
    }
    return;
  }
  io_uring_buf_ring_add(ring_, data(bid), size_, bid, mask_, static_cast<int>(unpublished_));
  ++unpublished_;
  --held_;
}

bool BufferRing::release_if_done(uint16_t bid) {
  const BufferMeta& m = meta_[bid];
  if (m.queued || m.zc_refs != 0) return false;
  recycle(bid);
  return true;
}

uint32_t BufferRing::publish() {
  uint32_t n = unpublished_;
  if (n != 0) io_uring_buf_ring_advance(ring_, static_cast<int>(n));
  unpublished_ = 0;
  return n;
}

}  // namespace iomb::aio
