// TimerWheel: coarse deadlines (idle timeouts) for one event loop, in a hashed wheel of
// intrusive circular lists. schedule/cancel are O(1) and make no syscall; the loop advances the
// wheel from its tick source (one timerfd per loop). Owned and called by one loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace iomb::nio {

// Embed (or inherit) one per timed object. A node is in at most one slot at a time.
struct TimerNode {
  TimerNode* prev = nullptr;
  TimerNode* next = nullptr;
  uint64_t deadline = 0;  // in ticks
  bool scheduled() const { return next != nullptr; }
};

class TimerWheel {
 public:
  // `slots` is rounded up to a power of two; deadlines further ahead than that still work
  // (they are skipped until due), they just cost a look per revolution.
  explicit TimerWheel(size_t slots = 512);
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  uint64_t now() const { return now_; }
  size_t size() const { return size_; }

  // (Re)schedules `node` to fire at tick `deadline`; a deadline not after now() fires at the
  // next advance.
  void schedule(TimerNode& node, uint64_t deadline);
  void cancel(TimerNode& node);

  // Moves time to `tick` and calls on_expire(node) for every node due by then, in no
  // particular order. A node is unlinked before its callback, which may schedule it again
  // (it then fires on a later advance, never in this one).
  template <class OnExpire>
  void advance(uint64_t tick, OnExpire&& on_expire);

 private:
  void link(TimerNode& slot, TimerNode& node);
  static void unlink(TimerNode& node);

  std::vector<TimerNode> slots_;  // sentinels of circular lists
  uint64_t mask_;
  uint64_t now_ = 0;
  size_t size_ = 0;
};

template <class OnExpire>
void TimerWheel::advance(uint64_t tick, OnExpire&& on_expire) {
  if (tick <= now_) return;
  // Visit each slot at most once: after a full revolution every slot has been seen.
  uint64_t first = now_ + 1;
  if (tick - now_ > mask_ + 1) first = tick - mask_;
  now_ = tick;
  for (uint64_t t = first; t <= tick; ++t) {
    TimerNode& slot = slots_[t & mask_];
    if (slot.next == &slot) continue;
    // Detach the whole list first, so callbacks that reschedule into this slot are not seen.
    TimerNode pending;
    pending.next = slot.next;
    pending.prev = slot.prev;
    pending.next->prev = &pending;
    pending.prev->next = &pending;
    slot.next = slot.prev = &slot;
    while (pending.next != &pending) {
      TimerNode* node = pending.next;
      unlink(*node);
      if (node->deadline <= tick) {
        --size_;
        on_expire(*node);
      } else {
        link(slot, *node);  // due in a later revolution
      }
    }
  }
}

}  // namespace iomb::nio
