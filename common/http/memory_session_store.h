// MemorySessionStore: the in-process session store (--session-store memory). Sessions expire
// --session-ttl-s after their last visit; at most --max-sessions are held, the least recently
// used being evicted (counted). Every visit completes synchronously, inside visit().
// Sharing: one store per process, shared by all threads. The map is split into shards, each a
// mutex + hash index + LRU list, chosen by the sid's random bits: with 16 shards, threads
// rarely meet on a lock. A shard's LRU is exact, the global one approximate, so stores with
// fewer than 16 Ki sessions use one shard (exact LRU, which the eviction tests rely on).
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/http/session_store.h"

namespace iomb::http {

struct MemorySessionStoreOptions {
  uint64_t ttl_s = 1800;
  uint64_t max_sessions = 100000;
  uint64_t payload_bytes = 0;  // --session-bytes: opaque payload held per session
  std::string node_id;
  // Milliseconds on a monotonic clock; tests inject a fake one. Defaults to steady_clock.
  std::function<int64_t()> now_ms;
};

// One session as the replicated store ships it (a delta, a snapshot entry). created_by is the
// node that created the session.
struct SessionRecord {
  SessionId sid;
  uint64_t visits = 0;
  int64_t created_at_ms = 0;
  int64_t last_seen_ms = 0;
  std::string created_by;
  std::string payload;
};

class MemorySessionStore final : public SessionStore {
 public:
  explicit MemorySessionStore(MemorySessionStoreOptions options);
  ~MemorySessionStore() override;

  void visit(const VisitRequest& request, VisitCallback& done) override;
  SessionStoreStats stats() const override;

  // visit(), also copying the session as stored after the visit into `changed` (replication).
  void visit(const VisitRequest& request, VisitCallback& done, SessionRecord& changed);
  // Merges a session replicated from a peer: a new sid is inserted (evicting as a creation
  // does); a known one keeps max(visits), max(last_seen), min(created_at), and the payload of
  // the later last_seen. Returns false when the record is already expired (dropped).
  bool apply(const SessionRecord& record);
  // Calls `each` for every live session (a snapshot for a starting peer), shard by shard.
  void for_each(const std::function<void(const SessionRecord&)>& each) const;

  size_t shard_count() const { return shards_.size(); }
  // Payload bytes held by session `sid` (tests); -1 when there is no such session.
  int64_t payload_size(std::string_view sid) const;

 private:
  struct Session {
    SessionId id;
    uint64_t visits = 0;
    int64_t created_at_ms = 0;
    int64_t last_seen_ms = 0;
    std::string payload;
    std::string created_by;  // empty: this node
  };
  struct Shard;

  int64_t now() const;
  void visit_into(const VisitRequest& request, VisitCallback& done, SessionRecord* changed);
  void evict_for_insert(Shard& shard);

  Shard& shard_for(const SessionId& id) const;
  // Pops sessions whose TTL passed from the LRU tail (least recent = oldest last visit).
  void drop_expired(Shard& shard, int64_t now, int max_count);

  const MemorySessionStoreOptions options_;
  const int64_t ttl_ms_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> live_{0};
  std::atomic<uint64_t> created_{0};
  std::atomic<uint64_t> expired_{0};
  std::atomic<uint64_t> evicted_{0};
};

}  // namespace iomb::http
