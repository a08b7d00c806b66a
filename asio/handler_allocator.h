// Recycled handler memory for asynchronous chains that never have more than one operation
// outstanding (a connection's read/write chain, an accept chain, a timer chain).
// Asio allocates an operation object for every async_* call through the completion handler's
// associated allocator; Asio frees that object before it invokes the handler, so the next
// operation started from inside the handler reuses the same block and the steady state makes
// no heap allocation. A request that does not fit (too large, or the block is busy) falls back
// to ::operator new and is counted.
// Thread safety: none needed. The block is used by one operation at a time; successive
// operations of a chain may run on different threads (shared io_context) but are ordered by
// Asio's scheduler (happens-before through its queue).
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace iomb::asio {

class HandlerMemory {
 public:
  // Large enough for the biggest operation any chain here starts (a reactive send/recv or a
  // move-accept operation with its handler, ~150-250 bytes on x86-64 with Boost 1.74).
  static constexpr size_t kBytes = 384;

  HandlerMemory() noexcept = default;
  HandlerMemory(const HandlerMemory&) = delete;
  HandlerMemory& operator=(const HandlerMemory&) = delete;

  void* allocate(size_t size) {
    if (!in_use_ && size <= kBytes) {
      in_use_ = true;
      return storage_;
    }
    ++fallbacks_;
    return ::operator new(size);
  }

  void deallocate(void* p) noexcept {
    if (p == storage_) {
      in_use_ = false;
    } else {
      ::operator delete(p);
    }
  }

  // How many allocations did not fit the block (tests expect 0 in the steady state).
  uint64_t fallbacks() const noexcept { return fallbacks_; }

 private:
  alignas(std::max_align_t) unsigned char storage_[kBytes];
  bool in_use_ = false;
  uint64_t fallbacks_ = 0;
};

// A minimal standard allocator over one HandlerMemory.
template <typename T>
class HandlerAllocator {
 public:
  using value_type = T;

  explicit HandlerAllocator(HandlerMemory& memory) noexcept : memory_(&memory) {}
  template <typename U>
  HandlerAllocator(const HandlerAllocator<U>& other) noexcept : memory_(other.memory_) {}

  T* allocate(size_t n) { return static_cast<T*>(memory_->allocate(sizeof(T) * n)); }
  void deallocate(T* p, size_t /*n*/) noexcept { memory_->deallocate(p); }

  template <typename U>
  bool operator==(const HandlerAllocator<U>& other) const noexcept {
    return memory_ == other.memory_;
  }
  template <typename U>
  bool operator!=(const HandlerAllocator<U>& other) const noexcept {
    return memory_ != other.memory_;
  }

 private:
  template <typename>
  friend class HandlerAllocator;
  HandlerMemory* memory_;
};

// Wraps a completion handler so that Asio finds HandlerAllocator through
// associated_allocator (the nested allocator_type + get_allocator()). Boost 1.74 has no
// bind_allocator, so this is the wrapper Asio's own "allocation" example describes.
template <typename Handler>
class MemoryBoundHandler {
 public:
  using allocator_type = HandlerAllocator<std::byte>;

  MemoryBoundHandler(HandlerMemory& memory, Handler handler)
      : memory_(&memory), handler_(std::move(handler)) {}

  allocator_type get_allocator() const noexcept { return allocator_type(*memory_); }

  template <typename... Args>
  void operator()(Args&&... args) {
    handler_(std::forward<Args>(args)...);
  }

 private:
  HandlerMemory* memory_;
  Handler handler_;
};

template <typename Handler>
MemoryBoundHandler<std::decay_t<Handler>> with_memory(HandlerMemory& memory, Handler&& handler) {
  return MemoryBoundHandler<std::decay_t<Handler>>(memory, std::forward<Handler>(handler));
}

}  // namespace iomb::asio
