// RedisSessionStore: --session-store redis, the central store (DESIGN §3.5). Sessions live in
// Redis (--redis HOST:PORT) as hashes; each event loop talks to Redis over its own persistent,
// pipelined connection (a StoreLink from the loop's LoopStoreIo: the model's own IO), carrying
// a RedisVisitProtocol. A visit on a loop whose link is down answers 503 at once (during the
// link's first connect it waits for it instead); one Redis has not answered within
// --store-timeout-ms answers 503 then. Every outcome is counted.
// Threads: visit() on a loop thread that attached (attach_loop); stats() on any thread.
#pragma once

#include <memory>

#include "common/http/session_store.h"
#include "common/store/redis_visit_protocol.h"
#include "common/store/store_link.h"

namespace iomb::store {

struct RedisSessionStoreOptions {
  Endpoint redis;
  RedisVisitOptions visit;
};

class RedisSessionStore final : public http::SessionStore {
 public:
  explicit RedisSessionStore(RedisSessionStoreOptions options);
  ~RedisSessionStore() override;

  void visit(const http::VisitRequest& request, http::VisitCallback& done) override;
  http::SessionStoreStats stats() const override;
  void attach_loop(LoopStoreIo& io) override;
  void detach_loop() override;

  struct LoopState;  // one loop thread's protocol and link

 private:
  LoopState* current() const;

  const RedisSessionStoreOptions options_;
  mutable RedisCounters counters_;
  std::atomic<uint64_t> unattached_{0};  // visits on a thread no loop attached (a model bug)
};

}  // namespace iomb::store
