// Implementation of server_main.h.
#include "common/server_main.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <system_error>

#include "common/lifecycle.h"
#include "common/socket_ops.h"
#include "common/supervisor.h"

namespace iomb {

int run_single_server(const ServerOptions& options, const ModelSpec& spec,
                      const ServerFactory& factory, UniqueFd listener, int out_fd) {
  const std::string prog = "iomb-" + spec.name;
  try {
    uint16_t port = local_port(listener.get());
    std::unique_ptr<Server> server = factory(options, std::move(listener));
    if (!write_json_line(out_fd, ready_line(spec.name, options.mode, options.host, port,
                                            server->ready_info()))) {
      std::fprintf(stderr, "%s: cannot write the ready line\n", prog.c_str());
      return 1;
    }
    {
      StopSignalWatcher watcher([&server](int) { server->request_stop(); });
      server->run();
    }
    nlohmann::json extra = server->stopped_info();
    extra["node"] = options.node_id;
    write_json_line(out_fd, stopped_line(spec.name, options.mode, server->counters(), extra));
    return 0;
  } catch (const UnavailableError& e) {
    std::fprintf(stderr, "%s: unavailable: %s\n", prog.c_str(), e.what());
    return kExitUnavailable;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", prog.c_str(), e.what());
    return 1;
  }
}

namespace {

// Memory a burst of large requests took must go back to the system once their connections
// close (a server that stays GiBs high after 5,000 1 MiB uploads left is a fault). glibc raises
// its mmap threshold to the size of each mmapped block freed (up to 32 MiB), so after the first
// 1 MiB body every later one is carved from the heaps, where fragmentation and per-thread arenas
// keep it. A fixed threshold turns that off: blocks of 256 KiB and more are mmapped and returned
// on free; the request path never allocates that much unless a request is that large.
void return_large_blocks_to_the_system() { ::mallopt(M_MMAP_THRESHOLD, 256 * 1024); }

}  // namespace

int server_main(int argc, char** argv, const ModelSpec& spec, const ServerFactory& factory) {
  return_large_blocks_to_the_system();
  ServerOptions options;
  if (int rc = parse_server_options(argc, argv, spec, options); rc >= 0) return rc;
  block_stop_signals();
  UniqueFd listener;
  try {
    ListenConfig config;
    config.host = options.host;
    config.port = options.port;
    config.reuse_port = true;  // models with one socket per thread add more to this port
    listener = listen_tcp(config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb-%s: %s\n", spec.name.c_str(), e.what());
    return 1;
  }
  if (options.processes == 1) {
    return run_single_server(options, spec, factory, std::move(listener), STDOUT_FILENO);
  }
  return supervise_workers(options, spec, factory, std::move(listener));
}

}  // namespace iomb
