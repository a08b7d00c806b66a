// The whole life of a server process, shared by every model's main(): parse flags, block stop
// signals, bind the listener, then either run one Server (printing the ready and stopped lines)
// or supervise --processes N workers that each run one. Main thread only.
#pragma once

#include <stdexcept>

#include "common/server.h"
#include "common/server_options.h"

namespace iomb {

// Thrown by a factory when its IO interface is unavailable on this machine (e.g. io_uring
// disabled); server_main prints one line and exits 77 so tests and the harness can skip.
class UnavailableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr int kExitUnavailable = 77;

int server_main(int argc, char** argv, const ModelSpec& spec, const ServerFactory& factory);

// Runs one server on `listener` and reports its lifecycle lines to `out_fd`. Used by
// server_main for a single process and by the supervisor inside each worker. Returns the exit
// code.
int run_single_server(const ServerOptions& options, const ModelSpec& spec,
                      const ServerFactory& factory, UniqueFd listener, int out_fd);

}  // namespace iomb
