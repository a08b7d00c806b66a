// SmallStackThreads: joinable threads with an explicit small stack (std::thread cannot set
// one), so 10,000 connection threads fit in memory. A finishing thread joins those that
// finished before it, so at most one finished thread's stack waits to be joined; the owner
// joins the rest (reap_finished / join_all). Any thread may start one.
#pragma once

#include <pthread.h>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace iomb::bio {

class SmallStackThreads {
 public:
  explicit SmallStackThreads(size_t stack_bytes);
  ~SmallStackThreads();  // join_all()

  // Starts `body` on a new thread. Returns 0 or an errno (EAGAIN: out of threads/memory).
  int start(std::function<void()> body);
  // Joins threads that have finished their body.
  void reap_finished();
  // Waits for every thread to finish, then joins all.
  void join_all();
  size_t running() const;

 private:
  struct Start;
  static void* trampoline(void* arg);
  void finished(pthread_t self);

  size_t stack_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable all_done_;
  size_t running_ = 0;
  std::vector<pthread_t> finished_;
};

}  // namespace iomb::bio
