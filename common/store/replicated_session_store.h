// ReplicatedSessionStore: --session-store replicated (DESIGN §3.5, all-to-all). Every node holds
// all sessions in its own MemorySessionStore; each visit's change is sent as a delta to every
// peer (--peers) over persistent links, one per peer per event loop (StoreLinks from the loop's
// LoopStoreIo, carrying a ReplicationSender). Peers' deltas arrive on their upgraded HTTP
// connections (ReplicationReceiver -> apply_delta()).
//  - async: the visit completes at once; the delta is queued (dropped, counted, while the
//    peer's link is down).
//  - sync: the visit completes after every live peer acked its delta, or after
//    --store-timeout-ms: a peer that did not ack by then is marked down (counted) and not
//    waited for until it catches up or its link reconnects.
// Conflicts (one sid visited on two nodes at once): each node keeps max(visits) and the later
// last_seen; two concurrent visits both counting n+1 merge to n+1, so with round robin and
// async replication visits are lost — the measured cost of not being sticky, not hidden.
// Not yet: the startup pull of peers' snapshots (snapshot() builds the body), the incoming
// HTTP upgrade in HttpCodec, and the make_session_store() wiring.
// Threads: visit() on an attached loop thread; apply_delta(), stats() on any thread.
#pragma once

#include <functional>
#include <vector>

#include "common/http/memory_session_store.h"
#include "common/store/replication_protocol.h"
#include "common/store/store_link.h"

namespace iomb::store {

struct ReplicatedSessionStoreOptions {
  http::MemorySessionStoreOptions memory;
  std::vector<Endpoint> peers;
  bool sync = false;
  int64_t timeout_ms = 100;
  std::function<int64_t()> now_ms;     // tests inject a clock; defaults to monotonic_ms
};

class ReplicatedSessionStore final : public http::SessionStore, public DeltaSink {
 public:
  explicit ReplicatedSessionStore(ReplicatedSessionStoreOptions options);
  ~ReplicatedSessionStore() override;

  void visit(const http::VisitRequest& request, http::VisitCallback& done) override;
  http::SessionStoreStats stats() const override;
  void attach_loop(LoopStoreIo& io) override;
  void detach_loop() override;
  void apply_delta(const SessionDelta& delta) override;

  // Every live session as delta frames (the body of GET /replication/snapshot).
  std::string snapshot() const;
  ReplicationCounters& counters() { return counters_; }
  http::MemorySessionStore& memory() { return memory_; }

  struct LoopState;

 private:
  const ReplicatedSessionStoreOptions options_;
  http::MemorySessionStore memory_;
  ReplicationCounters counters_;
  std::atomic<uint64_t> unattached_{0};
};

}  // namespace iomb::store
