// OutputBuffer: the bytes of one connection that the socket did not take yet. Grows by
// doubling and keeps its capacity, so a connection under steady backpressure does not allocate
// per message; the connection bounds it by pausing reads past --max-pending-bytes. Loop thread.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

namespace iomb::nio {

class OutputBuffer {
 public:
  bool empty() const { return begin_ == end_; }
  size_t size() const { return end_ - begin_; }
  size_t capacity() const { return capacity_; }
  const char* data() const { return data_.get() + begin_; }

  void append(std::span<const char> bytes);
  void consume(size_t n);
  // Frees the storage if it is empty and larger than `keep` bytes (after a burst).
  void shrink_if_empty(size_t keep);

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace iomb::nio
