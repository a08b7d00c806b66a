// Implementation of connection_table.h.
#include "aio/connection_table.h"

#include <sys/mman.h>

#include <cerrno>
#include <new>
#include <system_error>

namespace iomb::aio {

ConnectionTable::ConnectionTable(uint32_t capacity) : capacity_(capacity) {
  bytes_ = sizeof(Connection) * static_cast<size_t>(capacity);
  void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap(slots)");
  slots_ = static_cast<Connection*>(p);
}

ConnectionTable::~ConnectionTable() { ::munmap(slots_, bytes_); }

uint32_t ConnectionTable::allocate() {
  uint32_t index;
  if (free_head_ != kNoSlot) {
    index = free_head_;
    free_head_ = slots_[index].idle_next;
    uint16_t generation = slots_[index].generation;
    new (&slots_[index]) Connection();
    slots_[index].generation = generation;
  } else if (used_ < capacity_) {
    index = used_++;
    new (&slots_[index]) Connection();
  } else {
    return kNoSlot;
  }
  slots_[index].in_use = true;
  ++live_;
  return index;
}

void ConnectionTable::free(uint32_t index) {
  Connection& c = slots_[index];
  idle_remove(index);
  c.in_use = false;
  ++c.generation;
  c.idle_next = free_head_;
  free_head_ = index;
  --live_;
}

void ConnectionTable::idle_append(uint32_t index) {
  Connection& c = slots_[index];
  c.idle_prev = idle_tail_;
  c.idle_next = kNoSlot;
  if (idle_tail_ == kNoSlot) {
    idle_head_ = index;
  } else {
    slots_[idle_tail_].idle_next = index;
  }
  idle_tail_ = index;
}

void ConnectionTable::idle_remove(uint32_t index) {
  Connection& c = slots_[index];
  bool linked = c.idle_prev != kNoSlot || idle_head_ == index;
  if (!linked) return;
  if (c.idle_prev == kNoSlot) {
    idle_head_ = c.idle_next;
  } else {
    slots_[c.idle_prev].idle_next = c.idle_next;
  }
  if (c.idle_next == kNoSlot) {
    idle_tail_ = c.idle_prev;
  } else {
    slots_[c.idle_next].idle_prev = c.idle_prev;
  }
  c.idle_prev = kNoSlot;
  c.idle_next = kNoSlot;
}

void ConnectionTable::touch(uint32_t index, uint32_t now_ms) {
  Connection& c = slots_[index];
  c.last_active_ms = now_ms;
  if (idle_tail_ == index) return;
  idle_remove(index);
  idle_append(index);
}

}  // namespace iomb::aio
