// The interface every IO-model server implements, so that one main() (server_main.h) can run
// any of them, alone or as a prefork worker.
// run() is called on the main thread; request_stop() on the signal thread, at most once, at any
// time after construction (even before run() starts, in which case run() returns at once).
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/counters.h"
#include "common/server_options.h"
#include "common/unique_fd.h"

namespace iomb {

class Server {
 public:
  virtual ~Server() = default;
  // Serves until request_stop(); returns after every connection is closed and every thread the
  // server started has been joined.
  virtual void run() = 0;
  // Thread-safe and idempotent.
  virtual void request_stop() = 0;
  // Counters summed over all threads; valid after run() returned (and, approximately, before).
  virtual CounterSnapshot counters() const = 0;
  // Extra fields for the ready line (e.g. aio's ring setup flags).
  virtual nlohmann::json ready_info() const { return nlohmann::json::object(); }
  // Extra fields for the stopped line (HTTP: "sessions", the store's counters); after run().
  virtual nlohmann::json stopped_info() const { return nlohmann::json::object(); }
};

// Builds a server that serves `listener` (already bound and listening, blocking mode; the
// server may make it non-blocking, and may open further SO_REUSEPORT sockets on its port).
// Setup failures throw std::system_error.
using ServerFactory =
    std::function<std::unique_ptr<Server>(const ServerOptions& options, UniqueFd listener)>;

}  // namespace iomb
