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
// Threads that may block (bio, nio's workers: LoopStoreIo::blocking()) share one link per
// peer, each on a thread of its own (ReplicationPeerThreads).
// Incoming: a peer's link is an HTTP connection that HttpCodec switched to the stream
// open_replication_stream() returns (a ReplicationReceiver applying deltas). Startup:
// pull_snapshots() fills the store from the peers that are up (GET /replication/snapshot).
// Threads: visit() on an attached loop (or blocking) thread; apply_delta(), stats(), the
// stream and the snapshot on any thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/http/memory_session_store.h"
#include "common/store/replication_peer_threads.h"
#include "common/store/replication_protocol.h"
#include "common/store/store_link.h"

namespace iomb::store {

struct ReplicatedSessionStoreOptions {
  http::MemorySessionStoreOptions memory;
  std::vector<Endpoint> peers;
  bool sync = false;
  int64_t timeout_ms = 100;
  std::function<int64_t()> now_ms;     // tests inject a clock; defaults to monotonic_ms
  int64_t snapshot_timeout_ms = 2000;  // per peer, in pull_snapshots()
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
  std::unique_ptr<http::UpgradedStream> open_replication_stream() override;
  // Every live session as delta frames (the body of GET /replication/snapshot).
  bool append_snapshot(std::string& out) const override;

  // Applies each reachable peer's snapshot (startup, before any loop runs); returns how many
  // peers were reachable. Unreachable ones are counted as snapshot_peers_skipped.
  size_t pull_snapshots();
  // Every session as delta frames for a sender's resync; returns how many (any thread).
  size_t append_resync(std::string& out) const;
  // After pull_snapshots(): ready once as many replication streams came in as peers answered
  // the snapshot (their links reconnect after a backoff of up to a second; until then their
  // deltas to this node are dropped, and a node serving meanwhile would answer stale), or
  // kCatchUpMaxMs after the pull, whichever comes first. Streams are counted, not matched to
  // peers: with peers of several loops (several streams each) the gate may open early.
  bool ready() const override;
  static constexpr int64_t kCatchUpMaxMs = 3000;
  ReplicationCounters& counters() { return counters_; }
  http::MemorySessionStore& memory() { return memory_; }

  struct LoopState;
  struct BlockingState;

 private:
  void visit_blocking(BlockingState& state, const http::VisitRequest& request,
                      http::VisitCallback& done);

  const ReplicatedSessionStoreOptions options_;
  http::MemorySessionStore memory_;
  mutable ReplicationCounters counters_;  // append_snapshot() counts what it serves
  std::atomic<uint64_t> unattached_{0};
  size_t peers_at_start_ = 0;  // answered the snapshot
  int64_t pulled_at_ms_ = 0;
  std::atomic<size_t> streams_opened_{0};
  std::once_flag peer_threads_once_;
  std::unique_ptr<ReplicationPeerThreads> peer_threads_;  // started by the first blocking thread
};

}  // namespace iomb::store
