// One blocking connection served to the end on the calling thread (a connection thread in
// thread-per-conn mode, a pool worker in pool mode): echo, or HTTP through the shared codec with
// the handler run inline (so --block-us sleeps on this connection's thread only). Owns nothing
// shared but the counters (and the HTTP service, read-only and thread-safe).
#pragma once

#include <atomic>

#include "common/counters.h"
#include "common/http/http_service.h"
#include "common/server_options.h"
#include "common/unique_fd.h"

namespace iomb::bio {

class ConnectionRegistry;

struct ConnectionContext {
  const ServerOptions& options;
  Counters& counters;  // shared by all threads: add() only
  ConnectionRegistry& registry;
  const std::atomic<bool>& stopping;
  const http::HttpService* http;  // --protocol http; nullptr for echo
};

// Serves `fd` until the peer closes, an error, the idle timeout, or shutdown; then closes it.
// The fd must already be registered in ctx.registry; this unregisters it before closing.
void serve_connection(UniqueFd fd, const ConnectionContext& ctx);

}  // namespace iomb::bio
