// Implementation of server.h.
#include "asio/server.h"

#include <boost/version.hpp>
#include <thread>

#include "common/socket_ops.h"

namespace iomb::asio {

AsioServer::AsioServer(const ServerOptions& options, UniqueFd listener)
    : options_(options), shared_(options.mode == kShared) {
  check_protocol_supported(options_);
  if (shared_) {
    loops_.push_back(
        std::make_unique<IoLoop>(options_, std::move(listener), options_.threads, open_connections_));
    return;
  }
  // Every further listener binds the port the first one resolved (port 0 included); the kernel
  // spreads incoming connections over the SO_REUSEPORT group by 4-tuple hash.
  ListenConfig config;
  config.host = options_.host;
  config.port = local_port(listener.get());
  config.reuse_port = true;
  loops_.push_back(std::make_unique<IoLoop>(options_, std::move(listener), 1, open_connections_));
  for (int i = 1; i < options_.threads; ++i) {
    loops_.push_back(std::make_unique<IoLoop>(options_, listen_tcp(config), 1, open_connections_));
  }
}

AsioServer::~AsioServer() = default;

void AsioServer::run() {
  std::vector<std::thread> threads;
  if (shared_) {
    IoLoop& loop = *loops_.front();
    for (int i = 1; i < options_.threads; ++i) threads.emplace_back([&loop] { loop.run(); });
  } else {
    for (size_t i = 1; i < loops_.size(); ++i) {
      threads.emplace_back([loop = loops_[i].get()] { loop->run(); });
    }
  }
  loops_.front()->run();  // the main thread is one of the loop threads
  for (auto& t : threads) t.join();
}

void AsioServer::request_stop() {
  for (auto& loop : loops_) loop->request_stop();
}

CounterSnapshot AsioServer::counters() const {
  CounterSnapshot total;
  for (auto& loop : loops_) total += loop->counters_snapshot();
  return total;
}

nlohmann::json AsioServer::ready_info() const {
  return {{"threads", options_.threads},
          {"boost", BOOST_LIB_VERSION},
          {"io_contexts", loops_.size()}};
}

}  // namespace iomb::asio
