// Implementation of redis_session_store.h.
#include "common/store/redis_session_store.h"

namespace iomb::store {

struct RedisSessionStore::LoopState {
  const RedisSessionStore* owner = nullptr;
  std::unique_ptr<RedisVisitProtocol> protocol;
  std::unique_ptr<StoreLink> link;
};

namespace {
// The calling loop thread's state (one store per process; the owner check keeps a second
// store, as in unit tests, from using another's link).
thread_local RedisSessionStore::LoopState* t_loop = nullptr;
}  // namespace

RedisSessionStore::RedisSessionStore(RedisSessionStoreOptions options)
    : options_(std::move(options)) {}

RedisSessionStore::~RedisSessionStore() = default;

RedisSessionStore::LoopState* RedisSessionStore::current() const {
  return t_loop != nullptr && t_loop->owner == this ? t_loop : nullptr;
}

void RedisSessionStore::attach_loop(LoopStoreIo& io) {
  auto* state = new LoopState;
  state->owner = this;
  state->protocol = std::make_unique<RedisVisitProtocol>(options_.visit, counters_);
  state->link = io.open_link(options_.redis, *state->protocol);
  t_loop = state;
}

void RedisSessionStore::detach_loop() {
  LoopState* state = current();
  if (state == nullptr) return;
  t_loop = nullptr;  // visits started by the callbacks below answer 503 (unattached)
  state->link.reset();
  state->protocol->fail_all();
  delete state;
}

void RedisSessionStore::visit(const http::VisitRequest& request, http::VisitCallback& done) {
  LoopState* state = current();
  if (state == nullptr ||
      (!state->link->connected() && !state->protocol->first_connect_pending())) {
    (state == nullptr ? unattached_ : counters_.unavailable)
        .fetch_add(1, std::memory_order_relaxed);
    http::VisitResult result;
    result.status = 503;
    done.on_visit(result);
    return;
  }
  state->protocol->start_visit(request, done, monotonic_ms());
  // Inside the protocol's own callback the link sends once the callback returns.
  if (!state->protocol->in_callback()) state->link->flush();
}

http::SessionStoreStats RedisSessionStore::stats() const {
  http::SessionStoreStats s;
  auto get = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  s.created = get(counters_.created);
  s.counters = {{"ok", get(counters_.ok)},
                {"lost", get(counters_.lost)},
                {"round_trips", get(counters_.round_trips)},
                {"unavailable", get(counters_.unavailable)},
                {"timeouts", get(counters_.timeouts)},
                {"overloaded", get(counters_.overloaded)},
                {"failed", get(counters_.failed)},
                {"errors", get(counters_.errors)},
                {"disconnects", get(counters_.disconnects)},
                {"unattached", get(unattached_)}};
  return s;
}

}  // namespace iomb::store
