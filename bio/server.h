// BioServer: blocking accept on the main thread (run()), connections served on their own
// small-stack thread (thread-per-conn) or by --threads pool workers fed through a bounded
// queue (pool). request_stop() may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "bio/connection.h"
#include "bio/connection_registry.h"
#include "bio/small_stack_threads.h"
#include "common/connection_budget.h"
#include "common/server.h"
#include "common/socket_ops.h"
#include "common/store/blocking_store_io.h"

namespace iomb::bio {

class BioServer : public Server {
 public:
  BioServer(const ServerOptions& options, UniqueFd listener);
  ~BioServer() override;

  void run() override;
  void request_stop() override;
  CounterSnapshot counters() const override { return counters_.snapshot(); }
  nlohmann::json stopped_info() const override;

 private:
  void accept_loop();
  void dispatch(UniqueFd fd);
  void pool_worker();
  void serve(UniqueFd fd);

  const ServerOptions options_;
  const bool pool_mode_;
  UniqueFd listener_;
  SpareFd spare_fd_;
  Counters counters_;
  ConnectionRegistry registry_;
  std::atomic<bool> stopping_{false};
  ConnectionBudget connections_{options_.max_conns};  // served + queued
  std::unique_ptr<http::HttpService> http_;           // --protocol http only
  // HTTP: every serving thread (a connection's, a pool worker) attaches the session store to
  // this one for its life (LoopStoreScope); it keeps no per-thread state and is thread-safe.
  store::BlockingStoreIo store_io_;
  ConnectionContext context_;
  SmallStackThreads connection_threads_;

  // Pool mode: accepted sockets wait here for a free worker.
  std::mutex queue_mutex_;
  std::condition_variable queue_not_empty_;
  std::condition_variable queue_not_full_;
  std::deque<int> queue_;
  size_t queue_capacity_;
  std::vector<std::thread> workers_;
};

}  // namespace iomb::bio
