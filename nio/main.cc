// iomb-nio entry point: flags and model description only; the server is in server.cc.
#include <CLI/CLI.hpp>

#include "common/server_main.h"
#include "nio/server.h"

int main(int argc, char** argv) {
  iomb::nio::NioOptions nio;
  iomb::ModelSpec spec;
  spec.name = "nio";
  spec.description =
      "iomb-nio: epoll reactor. reactors (default): --threads independent event loops, each "
      "accepting on its own SO_REUSEPORT socket, sharing nothing. acceptor: one accept thread "
      "hands connections round-robin to --threads loops through eventfd-woken queues. workers: "
      "acceptor plus a pool of --workers threads that HTTP requests which may block or burn "
      "CPU (--work-us, --block-us, /session) are handed to, answers coming back via eventfd, "
      "so a blocking handler does not stall the loop (in reactors/acceptor it does); echo "
      "never uses the pool, so for echo it behaves like acceptor.";
  spec.modes = {"reactors", "acceptor", "workers"};
  spec.add_model_flags = [&nio](CLI::App& app) {
    app.add_option("--trigger", nio.trigger,
                   "epoll trigger mode: lt (level: one recv per readiness) or et (edge: recv "
                   "until a short read)")
        ->check(CLI::IsMember({"lt", "et"}))
        ->capture_default_str();
    app.add_option("--workers", nio.workers, "Worker pool threads (workers mode only)")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
  };
  return iomb::server_main(argc, argv, spec,
                           [&nio](const iomb::ServerOptions& o, iomb::UniqueFd l) {
                             return std::make_unique<iomb::nio::NioServer>(o, nio, std::move(l));
                           });
}
