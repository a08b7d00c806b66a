// Implementation of output_buffer.h.
#include "nio/output_buffer.h"

#include <cstring>

namespace iomb::nio {

void OutputBuffer::append(std::span<const char> bytes) {
  if (bytes.empty()) return;
  size_t used = size();
  if (capacity_ - end_ < bytes.size()) {
    if (capacity_ - used >= bytes.size()) {
      std::memmove(data_.get(), data(), used);  // compact
    } else {
      size_t cap = capacity_ ? capacity_ : 4096;
      while (cap - used < bytes.size()) cap *= 2;
      auto grown = std::make_unique_for_overwrite<char[]>(cap);
      if (used) std::memcpy(grown.get(), data(), used);
      data_ = std::move(grown);
      capacity_ = cap;
    }
    begin_ = 0;
    end_ = used;
  }
  std::memcpy(data_.get() + end_, bytes.data(), bytes.size());
  end_ += bytes.size();
}

void OutputBuffer::consume(size_t n) {
  begin_ += n;
  if (begin_ == end_) begin_ = end_ = 0;
}

void OutputBuffer::shrink_if_empty(size_t keep) {
  if (!empty() || capacity_ <= keep) return;
  data_.reset();
  capacity_ = begin_ = end_ = 0;
}

}  // namespace iomb::nio
