// Implementation of worker_pool.h.
#include "nio/worker_pool.h"

#include <optional>

#include "common/http/session_store.h"
#include "common/store/blocking_store_io.h"
#include "nio/event_loop.h"
#include "nio/protocol_handler.h"

namespace iomb::nio {

WorkerPool::WorkerPool(int threads, http::SessionStore* store) : store_(store) {
  threads_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() { stop_and_join(); }

void WorkerPool::submit(Job* job) {
  job->next_ = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (tail_) {
      tail_->next_ = job;
    } else {
      head_ = job;
    }
    tail_ = job;
  }
  not_empty_.notify_one();
}

void WorkerPool::stop_and_join() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    head_ = tail_ = nullptr;
  }
  not_empty_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::work() {
  store::BlockingStoreIo store_io;
  std::optional<http::LoopStoreScope> store_scope;
  if (store_ != nullptr) store_scope.emplace(*store_, store_io);
  for (;;) {
    Job* job;
    {
      std::unique_lock lock(mutex_);
      not_empty_.wait(lock, [this] { return head_ != nullptr || stopping_; });
      if (stopping_) return;
      job = head_;
      head_ = job->next_;
      if (!head_) tail_ = nullptr;
    }
    job->run();
    job->loop_->post_job_done(job);
  }
}

}  // namespace iomb::nio
