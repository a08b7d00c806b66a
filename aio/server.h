// AioServer: --threads share-nothing io_uring loops (RingLoop), one per thread, each with its
// own SO_REUSEPORT listener (loop 0 takes the factory's; under --processes the threads of a
// worker share the inherited listener). Constructed and run() on the main
// thread; with --protocol http one HttpService (and session store) is shared by every loop.
// The loops start serving from construction (each ring is created on its own thread,
// as SINGLE_ISSUER requires), run() waits for them. request_stop() from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "aio/aio_options.h"
#include "aio/ring_loop.h"
#include "common/connection_budget.h"
#include "common/http/http_service.h"
#include "common/server.h"

namespace iomb::aio {

class AioServer : public Server {
 public:
  // Throws UnavailableError (io_uring unavailable here) or std::system_error.
  AioServer(const ServerOptions& options, const AioOptions& aio, UniqueFd listener);
  ~AioServer() override;

  void run() override;
  void request_stop() override;
  CounterSnapshot counters() const override;
  nlohmann::json ready_info() const override;
  nlohmann::json stopped_info() const override;

 private:
  void loop_thread(size_t index, UniqueFd listener);
  void join_all();

  const ServerOptions options_;
  const AioOptions aio_;
  ConnectionBudget connections_{options_.max_conns};  // process-wide
  std::unique_ptr<http::HttpService> http_;           // --protocol http; outlives the loops
  std::vector<std::unique_ptr<RingLoop>> loops_;      // written once by each loop's thread
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable started_cv_;
  size_t started_ = 0;  // loops that finished setup (successfully or not)
  std::exception_ptr setup_error_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace iomb::aio
