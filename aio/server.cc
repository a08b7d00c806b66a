// Implementation of server.h.
#include "aio/server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <system_error>

#include "common/socket_ops.h"

namespace iomb::aio {
namespace {

// Accepted sockets inherit TCP_NODELAY from their listener on Linux, which saves a
// setsockopt(2) per connection (and makes it possible at all for direct descriptors, which
// have no fd to pass to setsockopt).
void set_listener_nodelay(int fd) {
  int one = 1;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
    throw std::system_error(errno, std::generic_category(), "setsockopt(TCP_NODELAY)");
  }
}

}  // namespace

AioServer::AioServer(const ServerOptions& options, const AioOptions& aio, UniqueFd listener)
    : options_(options), aio_(aio) {
  if (options_.protocol == Protocol::kHttp) {
    // GET /stats may run on a loop while another loop is still publishing itself in loops_.
    http_ = http::make_http_service(options_, [this] {
      std::lock_guard lock(mutex_);
      return counters();
    });
  }
  const size_t n = static_cast<size_t>(options_.threads);
  std::vector<UniqueFd> listeners;
  const uint16_t port = local_port(listener.get());
  listeners.push_back(std::move(listener));
  for (size_t i = 1; i < n; ++i) {
    if (options_.processes > 1) {
      // A prefork worker's threads share the inherited listener: connections queued on a
      // per-thread SO_REUSEPORT socket would be reset when a worker dies, while the shared
      // socket's queue is drained by the surviving workers.
      UniqueFd copy(::fcntl(listeners.front().get(), F_DUPFD_CLOEXEC, 0));
      if (!copy) throw std::system_error(errno, std::generic_category(), "fcntl(F_DUPFD)");
      listeners.push_back(std::move(copy));
      continue;
    }
    ListenConfig config;
    config.host = options_.host;
    config.port = port;
    config.reuse_port = true;
    listeners.push_back(listen_tcp(config));
  }
  for (auto& l : listeners) set_listener_nodelay(l.get());
  loops_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    threads_.emplace_back(&AioServer::loop_thread, this, i, std::move(listeners[i]));
  }
  std::unique_lock lock(mutex_);
  started_cv_.wait(lock, [&] { return started_ == n; });
  if (setup_error_) {
    lock.unlock();
    request_stop();
    join_all();
    std::rethrow_exception(setup_error_);
  }
}

AioServer::~AioServer() {
  request_stop();
  join_all();
}

void AioServer::loop_thread(size_t index, UniqueFd listener) {
  std::unique_ptr<RingLoop> loop;
  try {
    loop =
        std::make_unique<RingLoop>(options_, aio_, connections_, std::move(listener), http_.get());
  } catch (...) {
    std::lock_guard lock(mutex_);
    if (!setup_error_) setup_error_ = std::current_exception();
    ++started_;
    started_cv_.notify_all();
    return;
  }
  RingLoop* raw = loop.get();
  {
    std::lock_guard lock(mutex_);
    loops_[index] = std::move(loop);
    ++started_;
    started_cv_.notify_all();
  }
  // A stop requested while this loop was being set up found no loop to wake.
  if (stop_requested_.load()) raw->wake();
  raw->run();
}

void AioServer::run() { join_all(); }

void AioServer::join_all() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void AioServer::request_stop() {
  stop_requested_.store(true);
  std::lock_guard lock(mutex_);
  for (auto& loop : loops_) {
    if (loop) loop->wake();
  }
}

CounterSnapshot AioServer::counters() const {
  CounterSnapshot total;
  for (const auto& loop : loops_) {
    if (loop) total += loop->counters().snapshot();
  }
  return total;
}

nlohmann::json AioServer::ready_info() const {
  const RingLoop& first = *loops_.front();
  return {{"ring_setup", first.setup_name()}, {"cq_entries", first.cq_entries()},
          {"threads", options_.threads},      {"sqpoll", aio_.sqpoll},
          {"fixed_files", aio_.fixed_files},  {"zerocopy_send", aio_.zerocopy_send},
          {"buffer_size", aio_.buffer_size},  {"buffer_count", aio_.buffer_count}};
}

nlohmann::json AioServer::stopped_info() const {
  if (!http_) return nlohmann::json::object();
  return {{"sessions", http_->store_stats_json()}};
}

}  // namespace iomb::aio
