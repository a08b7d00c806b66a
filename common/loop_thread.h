// LoopThread: which thread owns an event loop, for IOMB_CHECK_IN_LOOP_THREAD (as muduo's
// assertInLoopThread). The owner binds it on the thread that runs the loop; while unbound
// (before run() or after it returned, when one thread holds the loop alone) every thread
// passes. bind()/unbind() on the owning thread; is_current() on any thread.
#pragma once

#include <atomic>
#include <thread>

#include "common/check.h"

namespace iomb {

class LoopThread {
 public:
  void bind() { owner_.store(std::this_thread::get_id(), std::memory_order_relaxed); }
  void unbind() { owner_.store(std::thread::id(), std::memory_order_relaxed); }

  // Binds the calling thread for this scope (a loop's run(), which may throw).
  class Binding {
   public:
    explicit Binding(LoopThread& thread) : thread_(thread) { thread_.bind(); }
    ~Binding() { thread_.unbind(); }
    Binding(const Binding&) = delete;
    Binding& operator=(const Binding&) = delete;

   private:
    LoopThread& thread_;
  };

  bool is_current() const {
    const std::thread::id owner = owner_.load(std::memory_order_relaxed);
    return owner == std::thread::id() || owner == std::this_thread::get_id();
  }

 private:
  std::atomic<std::thread::id> owner_{};
};

}  // namespace iomb

#define IOMB_CHECK_IN_LOOP_THREAD(loop_thread) IOMB_CHECK((loop_thread).is_current())
