// WorkerPool (workers mode): N threads taking Jobs from one shared queue (mutex + condition
// variable), running them, and handing each back to its connection's loop through the loop's
// eventfd (EventLoop::post_job_done). submit() is called by loop threads; stop_and_join() by
// the server's main thread.
// With a session store (HTTP), each worker holds a BlockingStoreIo attached to it
// (LoopStoreScope) for its whole life, so the visits it runs complete inside the job.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace iomb::http {
class SessionStore;
}

namespace iomb::nio {

class Job;

class WorkerPool {
 public:
  // `store`: attached on every worker thread (nullptr: none, e.g. echo).
  WorkerPool(int threads, http::SessionStore* store);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void submit(Job* job);
  // Jobs still queued are dropped (their connections are being closed with the server).
  void stop_and_join();

 private:
  void work();

  http::SessionStore* const store_;
  std::mutex mutex_;
  std::condition_variable not_empty_;
  Job* head_ = nullptr;  // intrusive FIFO through Job::next_
  Job* tail_ = nullptr;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace iomb::nio
