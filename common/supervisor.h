// Prefork supervisor for --processes N (DESIGN §3.3): forks N workers that serve the one
// inherited listening socket, prints a single ready line once every worker is serving,
// restarts a worker that dies, forwards SIGTERM/SIGINT and prints one stopped line with the
// workers' counters summed. A worker that dies young or cannot be forked (EMFILE, EAGAIN) is
// retried with a doubling delay and given up after a crash-loop limit (logged, counted); with
// no worker left to serve, the supervisor closes the listener and exits 1, so that clients are
// refused instead of hanging in the backlog. Runs on the main thread of a single-threaded
// process (fork safety).
#pragma once

#include "common/server.h"
#include "common/server_options.h"
#include "common/unique_fd.h"

namespace iomb {

struct ModelSpec;

// Returns the process exit code.
int supervise_workers(const ServerOptions& options, const ModelSpec& spec,
                      const ServerFactory& factory, UniqueFd listener);

}  // namespace iomb
