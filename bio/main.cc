// iomb-bio entry point: flags and model description only; the server is in server.cc.
#include "bio/server.h"
#include "common/server_main.h"

int main(int argc, char** argv) {
  iomb::ModelSpec spec;
  spec.name = "bio";
  spec.description =
      "iomb-bio: blocking IO. thread-per-conn (default) serves each connection on its own "
      "thread (64 KiB stack); pool serves them from --threads blocking workers fed by a bounded "
      "queue, so connection N+1 waits for a free worker (head-of-line blocking made visible).";
  spec.modes = {"thread-per-conn", "pool"};
  return iomb::server_main(argc, argv, spec, [](const iomb::ServerOptions& o, iomb::UniqueFd l) {
    return std::make_unique<iomb::bio::BioServer>(o, std::move(l));
  });
}
