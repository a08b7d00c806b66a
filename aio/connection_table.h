// ConnectionTable: a ring loop's preallocated connection slots and its idle list. The slot
// array is one anonymous mapping sized for --max-conns but touched only as slots are first
// used, so memory follows the peak connection count. Free slots are reused LIFO (warm cache
// lines). The idle list orders live connections by last activity, so touching is O(1) and the
// idle sweep looks only at the connections that actually expired. One ring thread only.
#pragma once

#include <cstddef>
#include <cstdint>

#include "aio/connection.h"

namespace iomb::aio {

class ConnectionTable {
 public:
  // Throws std::system_error if the mapping fails.
  explicit ConnectionTable(uint32_t capacity);
  ~ConnectionTable();
  ConnectionTable(const ConnectionTable&) = delete;
  ConnectionTable& operator=(const ConnectionTable&) = delete;

  // A fresh slot (in_use, generation preserved), or kNoSlot when all are taken.
  uint32_t allocate();
  // Returns a slot whose operations have all completed; bumps its generation.
  void free(uint32_t index);

  Connection& operator[](uint32_t index) { return slots_[index]; }
  uint32_t live() const { return live_; }
  uint32_t high_water() const { return used_; }  // slots ever touched

  // Idle list: most recently active at the tail.
  void touch(uint32_t index, uint32_t now_ms);
  void idle_remove(uint32_t index);
  uint32_t idle_oldest() const { return idle_head_; }

 private:
  void idle_append(uint32_t index);

  Connection* slots_ = nullptr;
  size_t bytes_ = 0;
  uint32_t capacity_;
  uint32_t used_ = 0;  // slots [0, used_) have been constructed
  uint32_t free_head_ = kNoSlot;
  uint32_t live_ = 0;
  uint32_t idle_head_ = kNoSlot;
  uint32_t idle_tail_ = kNoSlot;
};

}  // namespace iomb::aio
