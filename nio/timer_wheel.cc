// Implementation of timer_wheel.h.
#include "nio/timer_wheel.h"

#include <bit>

namespace iomb::nio {

TimerWheel::TimerWheel(size_t slots)
    : slots_(std::bit_ceil(slots < 2 ? size_t{2} : slots)), mask_(slots_.size() - 1) {
  for (auto& s : slots_) s.next = s.prev = &s;
}

void TimerWheel::link(TimerNode& slot, TimerNode& node) {
  node.prev = slot.prev;
  node.next = &slot;
  slot.prev->next = &node;
  slot.prev = &node;
}

void TimerWheel::unlink(TimerNode& node) {
  node.prev->next = node.next;
  node.next->prev = node.prev;
  node.prev = node.next = nullptr;
}

void TimerWheel::schedule(TimerNode& node, uint64_t deadline) {
  cancel(node);
  node.deadline = deadline;
  uint64_t at = deadline > now_ ? deadline : now_ + 1;
  link(slots_[at & mask_], node);
  ++size_;
}

void TimerWheel::cancel(TimerNode& node) {
  if (!node.scheduled()) return;
  unlink(node);
  --size_;
}

}  // namespace iomb::nio
