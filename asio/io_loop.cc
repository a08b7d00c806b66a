// Implementation of io_loop.h.
#include "asio/io_loop.h"

#include <boost/asio/post.hpp>
#include <cstdio>
#include <exception>
#include <optional>

#include "common/check.h"
#include "common/http/http_service.h"

namespace iomb::asio {

IoLoop::IoLoop(const ServerOptions& options, UniqueFd listener, int threads,
               ConnectionBudget& connections, const http::HttpService* http)
    : options_(options),
      connections_(connections),
      http_(http),
      // The hint lets Asio skip cross-thread wake-ups when one thread runs the context; it
      // keeps locking on, since request_stop() posts from the signal thread.
      context_(threads),
      strand_(context_.get_executor()),
      counters_(/*many_writers=*/threads > 1),
      acceptor_(*this, context_, strand_, std::move(listener), accept_memory_),
      sweeper_(context_, strand_, table_, options.idle_timeout_ms,
               /*bound_lingering=*/http != nullptr, sweep_memory_),
      chains_on_strand_(
          threads > 1 && http != nullptr &&
          (options.session_store == "redis" || options.session_store == "replicated")) {
  for (int i = 0; i < threads; ++i) {
    store_ios_.push_back(std::make_unique<AsioStoreIo>(context_, threads > 1 ? &strand_ : nullptr));
  }
  acceptor_.start();
  sweeper_.start();
}

IoLoop::~IoLoop() = default;

void IoLoop::run() {
  std::optional<http::LoopStoreScope> store_scope;
  if (http_ != nullptr) {
    const size_t i = next_store_io_.fetch_add(1) % store_ios_.size();
    store_scope.emplace(http_->store(), *store_ios_[i]);
  }
  for (;;) {
    try {
      context_.run();
      return;
    } catch (const std::exception& e) {
      // No handler here throws; this is the last line of defence (e.g. bad_alloc inside Asio).
      std::fprintf(stderr, "iomb-asio: a handler threw: %s; continuing\n", e.what());
    }
  }
}

void IoLoop::request_stop() {
  net::post(strand_, [this] { stop_on_strand(); });
}

void IoLoop::stop_on_strand() {
  IOMB_CHECK(strand_.running_in_this_thread());
  if (stopping_) return;
  stopping_ = true;
  acceptor_.stop();
  sweeper_.stop();
  // The store's links first: visits in flight complete (503) while their connections exist.
  for (auto& io : store_ios_) io->shutdown();
  table_.for_each([](Connection& c) { c.close_for(CloseReason::kServer); });
  // Each chain now ends on its own; run() returns when the last one is gone.
}

void IoLoop::on_accepted(TcpSocket socket) {
  IOMB_CHECK(strand_.running_in_this_thread());
  if (stopping_) {
    counters_.add(Counter::kRejected);
    return;
  }
  if (!connections_.try_admit()) {
    counters_.add(Counter::kRejected);
    return;  // `socket` closes here
  }
  boost::system::error_code ec;
  socket.set_option(net::ip::tcp::no_delay(true), ec);
  counters_.add(Counter::kAccepted);
  Connection* c = table_.add(
      std::make_unique<Connection>(*this, std::move(socket), make_handler(options_, http_)));
  c->start();
}

}  // namespace iomb::asio
