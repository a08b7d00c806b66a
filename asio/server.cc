// Implementation of server.h.
#include "asio/server.h"

#include <fcntl.h>

#include <boost/version.hpp>
#include <cerrno>
#include <system_error>
#include <thread>

#include "common/socket_ops.h"

namespace iomb::asio {

AsioServer::AsioServer(const ServerOptions& options, UniqueFd listener)
    : options_(options),
      shared_(options.mode == kShared),
      http_(options_.protocol == Protocol::kHttp
                ? http::make_http_service(options_, [this] { return counters(); })
                : nullptr) {
  if (shared_) {
    loops_.push_back(std::make_unique<IoLoop>(options_, std::move(listener), options_.threads,
                                              connections_, http_.get()));
    return;
  }
  ListenConfig config;
  config.host = options_.host;
  config.port = local_port(listener.get());
  config.reuse_port = true;
  const int first = listener.get();
  loops_.push_back(
      std::make_unique<IoLoop>(options_, std::move(listener), 1, connections_, http_.get()));
  for (int i = 1; i < options_.threads; ++i) {
    loops_.push_back(std::make_unique<IoLoop>(options_, extra_listener(first, config), 1,
                                              connections_, http_.get()));
  }
}

UniqueFd AsioServer::extra_listener(int first, const ListenConfig& config) const {
  if (options_.processes == 1) {
    // A socket of our own in the port's SO_REUSEPORT group (port 0 resolved by the first one);
    // the kernel spreads new connections over the group by 4-tuple hash.
    return listen_tcp(config);
  }
  // A prefork worker shares the supervisor's listening socket instead: a private SO_REUSEPORT
  // socket keeps receiving its share of new connections while its worker is dying (SIGKILL,
  // crash) and they are reset when it finally closes, whereas connections waiting on the
  // shared socket are taken by the surviving workers.
  UniqueFd fd(::fcntl(first, F_DUPFD_CLOEXEC, 0));
  if (!fd) throw std::system_error(errno, std::generic_category(), "fcntl(F_DUPFD_CLOEXEC)");
  return fd;
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
  return {
      {"threads", options_.threads}, {"boost", BOOST_LIB_VERSION}, {"io_contexts", loops_.size()}};
}

nlohmann::json AsioServer::stopped_info() const {
  if (!http_) return nlohmann::json::object();
  return {{"sessions", http_->store_stats_json()}};
}

}  // namespace iomb::asio
