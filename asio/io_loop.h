// IoLoop: one io_context with everything hanging off it: an Acceptor, an IdleSweeper, the
// ConnectionTable and the counters. In context-per-thread mode the server has one IoLoop per
// thread, each with its own SO_REUSEPORT listener, and nothing is shared but the process-wide
// connection count (--max-conns). In shared mode there is one IoLoop whose io_context is run by
// --threads threads. The acceptor, the sweeper and stop run on the loop's strand (they share
// the acceptor, timers and the table's visitors); connection chains run strand-free, except in
// shared mode with a session store that talks TCP (redis, replicated), where they run on the
// strand with the store's links (store_link.h): that serializes the HTTP handlers of a shared
// io_context, the price of a store whose per-loop state is not thread-safe.
// run() on each of the loop's threads; request_stop() on any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "asio/acceptor.h"
#include "asio/asio_types.h"
#include "asio/connection_table.h"
#include "asio/handler_allocator.h"
#include "asio/idle_sweeper.h"
#include "asio/loop_counters.h"
#include "asio/protocol_handler.h"
#include "asio/store_link.h"
#include "common/connection_budget.h"
#include "common/server_options.h"
#include "common/unique_fd.h"

namespace iomb::asio {

class IoLoop {
 public:
  // `threads`: how many threads will call run() (1 in context-per-thread mode). `http`: the
  // process's HttpService (--protocol http; outlives the loop), else nullptr. Arms the first
  // accept and sweep; nothing runs until run(). Throws std::system_error.
  IoLoop(const ServerOptions& options, UniqueFd listener, int threads,
         ConnectionBudget& connections, const http::HttpService* http);
  ~IoLoop();
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  // Serves until request_stop(), then returns once every connection is closed.
  void run();
  // Thread-safe, idempotent, also before run(): posts the stop to the strand.
  void request_stop();
  CounterSnapshot counters_snapshot() const { return counters_.snapshot(); }

  // For the loop's parts, on the loop's threads.
  void on_accepted(TcpSocket socket);  // on the strand
  void on_connection_closed() noexcept { connections_.release(); }
  LoopCounters& counters() noexcept { return counters_; }
  ConnectionTable& table() noexcept { return table_; }
  const ServerOptions& options() const noexcept { return options_; }
  uint64_t tick() const noexcept { return sweeper_.tick(); }
  IdleSweeper& sweeper() noexcept { return sweeper_; }
  // Shared mode with a session store that talks TCP: connection chains run on the strand, as
  // the store's links do (store_link.h); else nullptr.
  Strand* chain_strand() noexcept { return chains_on_strand_ ? &strand_ : nullptr; }

 private:
  void stop_on_strand();

  const ServerOptions& options_;
  ConnectionBudget& connections_;  // process-wide, shared by every loop
  const http::HttpService* const http_;
  // Declared before context_ so they outlive it: operations still pending when the context is
  // destroyed (if run() never ran) give their memory back here.
  HandlerMemory accept_memory_;
  HandlerMemory sweep_memory_;
  net::io_context context_;
  Strand strand_;
  LoopCounters counters_;
  ConnectionTable table_;
  Acceptor acceptor_;
  IdleSweeper sweeper_;
  const bool chains_on_strand_;
  // The session store's links: one LoopStoreIo per thread that runs the context, each thread
  // attaching the store with its own while it runs (run()); shut down first when stopping.
  std::vector<std::unique_ptr<AsioStoreIo>> store_ios_;
  std::atomic<size_t> next_store_io_{0};
  bool stopping_ = false;  // on the strand
};

}  // namespace iomb::asio
