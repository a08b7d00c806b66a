// Implementation of small_stack_threads.h.
#include "bio/small_stack_threads.h"

#include <cerrno>

namespace iomb::bio {

struct SmallStackThreads::Start {
  SmallStackThreads* owner;
  std::function<void()> body;
};

SmallStackThreads::SmallStackThreads(size_t stack_bytes) : stack_bytes_(stack_bytes) {}

SmallStackThreads::~SmallStackThreads() { join_all(); }

int SmallStackThreads::start(std::function<void()> body) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes_);
  auto* start = new Start{this, std::move(body)};
  {
    std::lock_guard lock(mutex_);
    ++running_;
  }
  pthread_t tid;
  int rc = pthread_create(&tid, &attr, &trampoline, start);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    delete start;
    std::lock_guard lock(mutex_);
    --running_;
  }
  return rc;
}

void* SmallStackThreads::trampoline(void* arg) {
  auto* start = static_cast<Start*>(arg);
  SmallStackThreads* owner = start->owner;
  start->body();
  delete start;
  owner->finished(pthread_self());
  return nullptr;
}

void SmallStackThreads::finished(pthread_t self) {
  // Each finishing thread joins the ones that finished before it, so a finished thread's stack
  // is released as soon as the next one finishes, without waiting for the owner (bio's
  // acceptor only reaps when a connection arrives). No cycle: a thread joins only threads that
  // were listed before it listed itself. join_all() joins the last.
  std::vector<pthread_t> earlier;
  {
    std::lock_guard lock(mutex_);
    earlier.swap(finished_);
    finished_.push_back(self);
    if (--running_ == 0) all_done_.notify_all();
  }
  for (pthread_t t : earlier) pthread_join(t, nullptr);
}

void SmallStackThreads::reap_finished() {
  std::vector<pthread_t> done;
  {
    std::lock_guard lock(mutex_);
    done.swap(finished_);
  }
  for (pthread_t t : done) pthread_join(t, nullptr);
}

void SmallStackThreads::join_all() {
  {
    std::unique_lock lock(mutex_);
    all_done_.wait(lock, [this] { return running_ == 0; });
  }
  reap_finished();
}

size_t SmallStackThreads::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

}  // namespace iomb::bio
