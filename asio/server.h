// AsioServer: the Boost.Asio reference server (DESIGN §3.3).
//  context-per-thread (default): --threads IoLoops, each an io_context run by one thread with
//    its own SO_REUSEPORT listener (loop 0 uses the listener server_main bound; under
//    --processes the loops share the inherited one), share-nothing except the process-wide
//    --max-conns count.
//  shared: one IoLoop whose io_context is run by --threads threads, one listener.
// Protocols: echo and http (one HttpService per process; see http_handler.h).
// run() on the main thread (it runs one of the loop threads itself); request_stop() on any
// thread.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "asio/io_loop.h"
#include "common/connection_budget.h"
#include "common/http/http_service.h"
#include "common/server.h"
#include "common/socket_ops.h"

namespace iomb::asio {

class AsioServer : public Server {
 public:
  static constexpr const char* kContextPerThread = "context-per-thread";
  static constexpr const char* kShared = "shared";

  // Throws std::system_error (listeners) or std::invalid_argument (HTTP options).
  AsioServer(const ServerOptions& options, UniqueFd listener);
  ~AsioServer() override;

  void run() override;
  void request_stop() override;
  CounterSnapshot counters() const override;
  nlohmann::json ready_info() const override;
  nlohmann::json stopped_info() const override;

 private:
  // The listener of loop 1.. in context-per-thread mode.
  UniqueFd extra_listener(int first, const ListenConfig& config) const;

  const ServerOptions options_;
  const bool shared_;
  ConnectionBudget connections_{options_.max_conns};  // process-wide
  // --protocol http: endpoints and the session store, shared by every loop and thread. Declared
  // before loops_ so it outlives their connections.
  std::unique_ptr<http::HttpService> http_;
  std::vector<std::unique_ptr<IoLoop>> loops_;
};

}  // namespace iomb::asio
