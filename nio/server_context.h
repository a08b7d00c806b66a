// ServerContext: the state every loop, the acceptor and the worker pool of one nio server share,
// read-only or atomically; with it nio's own two flags (--trigger, --workers), set on the main
// thread before the server starts.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/connection_budget.h"
#include "common/http/session_store.h"
#include "common/server_options.h"
#include "nio/protocol_handler.h"

namespace iomb::nio {

struct NioOptions {
  std::string trigger = "lt";  // lt | et
  int workers = 4;             // worker pool size, workers mode only
};

class WorkerPool;

// Shared by the loops, the acceptor and the pool of one server. Only the atomics are written
// after construction.
struct ServerContext {
  const ServerOptions& options;
  bool edge_triggered = false;
  WorkerPool* pool = nullptr;  // workers mode only
  // The store the loops attach to (HTTP, modes reactors and acceptor; in workers mode the
  // workers run every visit and attach instead).
  http::SessionStore* loop_store = nullptr;
  std::function<std::unique_ptr<ProtocolHandler>()> make_handler;
  std::atomic<bool> stopping{false};
  // Open connections across every loop (process-wide).
  ConnectionBudget connections{options.max_conns};
};

}  // namespace iomb::nio
