// Implementation of server.h.
#include "bio/server.h"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>

namespace iomb::bio {

namespace {
constexpr size_t kConnectionStackBytes = 64 * 1024;
}

BioServer::BioServer(const ServerOptions& options, UniqueFd listener)
    : options_(options),
      pool_mode_(options.mode == "pool"),
      listener_(std::move(listener)),
      http_(options_.protocol == Protocol::kHttp
                ? http::make_http_service(options_, [this] { return counters_.snapshot(); })
                : nullptr),
      context_{options_, counters_, registry_, stopping_, http_.get()},
      connection_threads_(kConnectionStackBytes),
      queue_capacity_(std::max<size_t>(1024, static_cast<size_t>(options.threads) * 4)) {}

BioServer::~BioServer() {
  request_stop();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
}

void BioServer::run() {
  if (pool_mode_) {
    for (int i = 0; i < options_.threads; ++i) workers_.emplace_back([this] { pool_worker(); });
  }
  accept_loop();
  // Stopping: wake every blocked connection, then join everything.
  registry_.shutdown_all();
  {
    std::lock_guard lock(queue_mutex_);
    for (int fd : queue_) {
      ::close(fd);
      counters_.add(Counter::kClosedByServer);
    }
    queue_.clear();
  }
  queue_not_empty_.notify_all();
  queue_not_full_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
  connection_threads_.join_all();
}

void BioServer::request_stop() {
  if (stopping_.exchange(true)) return;
  // shutdown(2) on a listening socket makes a blocked accept() return EINVAL at once.
  ::shutdown(listener_.get(), SHUT_RDWR);
  queue_not_empty_.notify_all();
  queue_not_full_.notify_all();
}

void BioServer::accept_loop() {
  while (!stopping_.load()) {
    int fd = accept_connection(listener_.get(), spare_fd_, 0);
    if (stopping_.load()) {
      if (fd >= 0) ::close(fd);
      break;
    }
    if (fd == -EMFILE) {
      counters_.add(Counter::kRejected);
      continue;
    }
    if (fd < 0) {
      // ENOBUFS/ENOMEM and the like: back off instead of spinning.
      counters_.add(Counter::kErrorsOther);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    if (!pool_mode_) connection_threads_.reap_finished();
    if (!connections_.try_admit()) {
      ::close(fd);
      counters_.add(Counter::kRejected);
      continue;
    }
    dispatch(UniqueFd(fd));
  }
}

void BioServer::dispatch(UniqueFd fd) {
  if (pool_mode_) {
    counters_.add(Counter::kAccepted);
    std::unique_lock lock(queue_mutex_);
    // A full queue blocks the acceptor: further clients wait in the kernel's backlog.
    queue_not_full_.wait(lock, [this] { return queue_.size() < queue_capacity_ || stopping_; });
    if (stopping_) {
      connections_.release();
      counters_.add(Counter::kClosedByServer);
      return;
    }
    queue_.push_back(fd.release());
    queue_not_empty_.notify_one();
    return;
  }
  int raw = fd.get();
  if (!registry_.add(raw)) {  // stopping
    connections_.release();
    counters_.add(Counter::kRejected);
    return;
  }
  // The thread owns the fd from here on; shared ownership ends at the lambda capture.
  int rc = connection_threads_.start([this, raw] { serve(UniqueFd(raw)); });
  if (rc != 0) {
    registry_.remove(raw);
    fd.reset();
    connections_.release();
    counters_.add(Counter::kRejected);
    static bool warned = false;
    if (!warned) {
      warned = true;
      std::fprintf(stderr, "iomb-bio: pthread_create failed (errno %d); rejecting connections\n",
                   rc);
    }
    return;
  }
  // Counted once its thread runs: a connection no thread could serve is rejected, never both.
  counters_.add(Counter::kAccepted);
  fd.release();
}

void BioServer::serve(UniqueFd fd) {
  // Thread-per-conn: this thread serves this one connection.
  std::optional<http::LoopStoreScope> store_scope;
  if (http_ && !pool_mode_) store_scope.emplace(http_->store(), store_io_);
  serve_connection(std::move(fd), context_);
  store_scope.reset();
  connections_.release();
}

void BioServer::pool_worker() {
  std::optional<http::LoopStoreScope> store_scope;
  if (http_) store_scope.emplace(http_->store(), store_io_);
  for (;;) {
    int raw;
    {
      std::unique_lock lock(queue_mutex_);
      queue_not_empty_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping
      raw = queue_.front();
      queue_.pop_front();
      queue_not_full_.notify_one();
    }
    if (!registry_.add(raw)) {
      ::close(raw);
      connections_.release();
      counters_.add(Counter::kClosedByServer);
      continue;
    }
    serve(UniqueFd(raw));
  }
}

nlohmann::json BioServer::stopped_info() const {
  if (!http_) return nlohmann::json::object();
  return {{"sessions", http_->store_stats_json()}};
}

}  // namespace iomb::bio
