// nio's own flags (--trigger, --workers) and the state every loop of one server shares
// read-only or atomically. Options are set on the main thread before the server starts.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/server_options.h"
#include "nio/session.h"

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
  std::function<std::unique_ptr<Session>()> make_session;
  std::atomic<bool> stopping{false};
  // Open connections across every loop, for --max-conns (process-wide). Touched once per
  // accept and once per close, never per message.
  std::atomic<uint64_t> open_connections{0};

  // Reserves a slot for a new connection; false when --max-conns is reached.
  bool try_reserve_connection() {
    if (open_connections.fetch_add(1, std::memory_order_relaxed) < options.max_conns) return true;
    open_connections.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  void release_connection() { open_connections.fetch_sub(1, std::memory_order_relaxed); }
};

}  // namespace iomb::nio
