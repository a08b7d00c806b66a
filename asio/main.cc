// iomb-asio entry point: flags and model description only; the server is in server.cc.
#include "asio/server.h"
#include "common/server_main.h"

int main(int argc, char** argv) {
  iomb::ModelSpec spec;
  spec.name = "asio";
  spec.description =
      "iomb-asio: Boost.Asio (epoll backend) reference server, async read/write chain per "
      "connection with recycled handler memory. context-per-thread (default) runs --threads "
      "io_contexts, one per thread, each with its own SO_REUSEPORT acceptor; shared runs one "
      "io_context and one acceptor on --threads threads.";
  spec.modes = {iomb::asio::AsioServer::kContextPerThread, iomb::asio::AsioServer::kShared};
  return iomb::server_main(argc, argv, spec, [](const iomb::ServerOptions& o, iomb::UniqueFd l) {
    return std::make_unique<iomb::asio::AsioServer>(o, std::move(l));
  });
}
