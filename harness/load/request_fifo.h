// RequestFifo: the send timestamps of one connection's requests that are still waiting for a
// reply, in order (echo and HTTP/1.1 reply in request order). Fixed capacity, allocated once;
// owned by the connection's load thread.
#pragma once

#include <cstdint>
#include <memory>

namespace iomb::harness {

struct RequestTimes {
  int64_t intended_ns;  // when the schedule wanted it sent (open loop), = sent_ns in closed loop
  int64_t sent_ns;      // when it was handed to the kernel
};

class RequestFifo {
 public:
  explicit RequestFifo(uint32_t capacity_pow2)
      : slots_(std::make_unique<RequestTimes[]>(capacity_pow2)), mask_(capacity_pow2 - 1) {}

  bool full() const { return tail_ - head_ > mask_; }
  bool empty() const { return tail_ == head_; }
  uint32_t size() const { return tail_ - head_; }
  uint32_t capacity() const { return mask_ + 1; }
  void push(RequestTimes t) { slots_[tail_++ & mask_] = t; }
  RequestTimes pop() { return slots_[head_++ & mask_]; }
  const RequestTimes& front() const { return slots_[head_ & mask_]; }  // oldest; not empty
  void clear() { head_ = tail_ = 0; }

 private:
  std::unique_ptr<RequestTimes[]> slots_;
  uint32_t mask_;
  uint32_t head_ = 0;
  uint32_t tail_ = 0;
};

}  // namespace iomb::harness
