// Implementation of server.h.
#include "nio/server.h"

#include <fcntl.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "common/socket_ops.h"
#include "nio/echo_handler.h"
#include "nio/http_handler.h"

namespace iomb::nio {

NioServer::NioServer(const ServerOptions& options, const NioOptions& nio, UniqueFd listener)
    : options_(options), nio_(nio), context_{options_} {
  context_.edge_triggered = nio_.trigger == "et";
  // One ProtocolHandler per connection, chosen by --protocol.
  if (options_.protocol == Protocol::kHttp) {
    http_ = http::make_http_service(options_, [this] { return counters(); });
    const bool deferred = options_.mode == "workers";
    // Reactors and acceptor: each loop attaches the store (its NioStoreIo); workers mode: the
    // workers run every /session visit and attach instead (worker_pool.h).
    if (!deferred) context_.loop_store = &http_->store();
    context_.make_handler = [service = http_.get(), deferred] {
      return std::make_unique<HttpHandler>(*service, deferred);
    };
  } else {
    context_.make_handler = [] { return std::make_unique<EchoHandler>(); };
  }
  if (options_.mode == "workers") {
    pool_ = std::make_unique<WorkerPool>(nio_.workers, http_ ? &http_->store() : nullptr);
    context_.pool = pool_.get();
  }
  for (int i = 0; i < options_.threads; ++i)
    loops_.push_back(std::make_unique<EventLoop>(context_));
  if (options_.mode == "reactors") {
    // Under --processes every loop accepts on the one inherited socket (EPOLLEXCLUSIVE): a
    // per-thread SO_REUSEPORT socket would die with a crashed worker and the kernel would reset
    // the connections queued on it (unless net.ipv4.tcp_migrate_req=1), while the inherited
    // socket lives on in the supervisor and the other workers.
    const bool shared = options_.processes > 1;
    uint16_t port = local_port(listener.get());
    for (size_t i = 1; i < loops_.size(); ++i) {
      if (shared) {
        UniqueFd dup(::fcntl(listener.get(), F_DUPFD_CLOEXEC, 0));
        if (!dup) throw std::system_error(errno, std::generic_category(), "fcntl(F_DUPFD)");
        loops_[i]->set_listener(std::move(dup), true);
        continue;
      }
      ListenConfig config;
      config.host = options_.host;
      config.port = port;
      config.reuse_port = true;
      config.non_blocking = true;
      loops_[i]->set_listener(listen_tcp(config));
    }
    loops_[0]->set_listener(std::move(listener), shared);
  } else {
    std::vector<EventLoop*> loops;
    for (auto& l : loops_) loops.push_back(l.get());
    acceptor_ = std::make_unique<Acceptor>(context_, std::move(listener), std::move(loops));
  }
}

NioServer::~NioServer() {
  request_stop();
  if (pool_) pool_->stop_and_join();
}

void NioServer::run() {
  std::vector<std::thread> threads;
  auto guarded = [this](auto&& body) {
    try {
      body();
    } catch (const std::exception& e) {
      // epoll_wait failing is not recoverable; stop the whole server cleanly.
      std::fprintf(stderr, "iomb-nio: %s\n", e.what());
      request_stop();
    }
  };
  // Reactors: loop 0 runs on this thread; otherwise this thread is the acceptor.
  size_t first_threaded = acceptor_ ? 0 : 1;
  for (size_t i = first_threaded; i < loops_.size(); ++i) {
    threads.emplace_back([&guarded, loop = loops_[i].get()] { guarded([loop] { loop->run(); }); });
  }
  if (acceptor_) {
    guarded([this] { acceptor_->run(); });
  } else {
    guarded([this] { loops_[0]->run(); });
  }
  for (auto& t : threads) t.join();
  // Every loop has stopped; workers may still hold jobs of their connections.
  if (pool_) pool_->stop_and_join();
  for (auto& l : loops_) l->close_all();
}

void NioServer::request_stop() {
  if (context_.stopping.exchange(true, std::memory_order_acq_rel)) return;
  if (acceptor_) acceptor_->stop();
  for (auto& l : loops_) l->wake();
}

CounterSnapshot NioServer::counters() const {
  CounterSnapshot sum;
  for (auto& l : loops_) sum += l->counters();
  if (acceptor_) sum += acceptor_->counters();
  return sum;
}

nlohmann::json NioServer::stopped_info() const {
  if (!http_) return nlohmann::json::object();
  return {{"sessions", http_->store_stats_json()}};
}

nlohmann::json NioServer::ready_info() const {
  nlohmann::json info{{"trigger", nio_.trigger}, {"threads", options_.threads}};
  if (pool_) info["worker_threads"] = nio_.workers;
  return info;
}

}  // namespace iomb::nio
