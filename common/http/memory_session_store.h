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

class MemorySessionStore final : public SessionStore {
 public:
  explicit MemorySessionStore(MemorySessionStoreOptions options);
  ~MemorySessionStore() override;

  void visit(const VisitRequest& request, VisitCallback& done) override;
  SessionStoreStats stats() const override;

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
  };
  struct Shard;

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
