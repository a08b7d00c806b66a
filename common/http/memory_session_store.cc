// Implementation of memory_session_store.h.
#include "common/http/memory_session_store.h"

#include <algorithm>
#include <chrono>

namespace iomb::http {

struct alignas(64) MemorySessionStore::Shard {
  std::mutex mutex;
  std::list<Session> lru;  // most recent first
  std::unordered_map<SessionId, std::list<Session>::iterator, SessionIdHash> index;
  size_t capacity = 0;
};

namespace {

constexpr size_t kShards = 16;
constexpr uint64_t kMinSessionsForSharding = 16 * 1024;
// Expired sessions dropped per visit, so one visit never walks a long list.
constexpr int kExpiredDropsPerVisit = 8;

}  // namespace

MemorySessionStore::MemorySessionStore(MemorySessionStoreOptions options)
    : options_(std::move(options)), ttl_ms_(static_cast<int64_t>(options_.ttl_s) * 1000) {
  size_t shards = options_.max_sessions >= kMinSessionsForSharding ? kShards : 1;
  for (size_t i = 0; i < shards; ++i) {
    auto shard = std::make_unique<Shard>();
    // The shard capacities sum to at most --max-sessions.
    shard->capacity = static_cast<size_t>(options_.max_sessions / shards);
    shards_.push_back(std::move(shard));
  }
}

MemorySessionStore::~MemorySessionStore() = default;

MemorySessionStore::Shard& MemorySessionStore::shard_for(const SessionId& id) const {
  return *shards_[static_cast<size_t>(id.hi % shards_.size())];
}

void MemorySessionStore::drop_expired(Shard& shard, int64_t now, int max_count) {
  while (max_count-- > 0 && !shard.lru.empty() && now - shard.lru.back().last_seen_ms >= ttl_ms_) {
    shard.index.erase(shard.lru.back().id);
    shard.lru.pop_back();
    live_.fetch_sub(1, std::memory_order_relaxed);
    expired_.fetch_add(1, std::memory_order_relaxed);
  }
}

int64_t MemorySessionStore::now() const {
  return options_.now_ms ? options_.now_ms()
                         : std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
}

void MemorySessionStore::evict_for_insert(Shard& shard) {
  while (shard.lru.size() >= shard.capacity && !shard.lru.empty()) {
    shard.index.erase(shard.lru.back().id);
    shard.lru.pop_back();
    live_.fetch_sub(1, std::memory_order_relaxed);
    evicted_.fetch_add(1, std::memory_order_relaxed);
  }
}

void MemorySessionStore::visit(const VisitRequest& request, VisitCallback& done) {
  visit_into(request, done, nullptr);
}

void MemorySessionStore::visit(const VisitRequest& request, VisitCallback& done,
                               SessionRecord& changed) {
  visit_into(request, done, &changed);
}

void MemorySessionStore::visit_into(const VisitRequest& request, VisitCallback& done,
                                    SessionRecord* changed) {
  const int64_t now = this->now();
  VisitResult result;
  std::string origin;  // created_by of a session a peer created (short: no allocation)
  bool found = false;
  if (auto id = SessionId::parse(request.sid)) {
    Shard& shard = shard_for(*id);
    std::lock_guard lock(shard.mutex);
    drop_expired(shard, now, kExpiredDropsPerVisit);
    if (auto it = shard.index.find(*id); it != shard.index.end()) {
      Session& s = *it->second;
      if (now - s.last_seen_ms >= ttl_ms_) {
        shard.lru.erase(it->second);
        shard.index.erase(it);
        live_.fetch_sub(1, std::memory_order_relaxed);
        expired_.fetch_add(1, std::memory_order_relaxed);
      } else {
        s.visits += 1;
        s.last_seen_ms = now;
        shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
        result.sid = s.id;
        result.visits = s.visits;
        origin = s.created_by;
        if (changed) {
          changed->created_at_ms = s.created_at_ms;
          changed->payload = s.payload;
        }
        found = true;
      }
    }
  }
  if (!found) {
    Session fresh;
    fresh.visits = 1;
    fresh.created_at_ms = now;
    fresh.last_seen_ms = now;
    fresh.payload.assign(static_cast<size_t>(options_.payload_bytes), 'p');
    for (;;) {
      fresh.id = SessionId::random();
      Shard& shard = shard_for(fresh.id);
      std::lock_guard lock(shard.mutex);
      if (shard.index.count(fresh.id) != 0) continue;  // 2^-128: draw again
      drop_expired(shard, now, kExpiredDropsPerVisit);
      evict_for_insert(shard);
      result.sid = fresh.id;
      if (changed) {
        changed->created_at_ms = now;
        changed->payload = fresh.payload;
      }
      shard.lru.push_front(std::move(fresh));
      shard.index.emplace(result.sid, shard.lru.begin());
      live_.fetch_add(1, std::memory_order_relaxed);
      created_.fetch_add(1, std::memory_order_relaxed);
      break;
    }
    result.visits = 1;
    result.created = true;
  }
  result.created_by = origin.empty() ? std::string_view(options_.node_id) : origin;
  if (changed) {
    changed->sid = result.sid;
    changed->visits = result.visits;
    changed->last_seen_ms = now;
    changed->created_by.assign(result.created_by);
  }
  // Called with no lock held: the callback may start the next visit.
  done.on_visit(result);
}

bool MemorySessionStore::apply(const SessionRecord& r) {
  const int64_t now = this->now();
  if (now - r.last_seen_ms >= ttl_ms_) return false;
  Shard& shard = shard_for(r.sid);
  std::lock_guard lock(shard.mutex);
  drop_expired(shard, now, kExpiredDropsPerVisit);
  const bool ours = r.created_by == options_.node_id;
  if (auto it = shard.index.find(r.sid); it != shard.index.end()) {
    Session& s = *it->second;
    s.visits = std::max(s.visits, r.visits);
    s.created_at_ms = std::min(s.created_at_ms, r.created_at_ms);
    if (r.last_seen_ms > s.last_seen_ms) {
      s.last_seen_ms = r.last_seen_ms;
      s.payload = r.payload;
      shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    }
    return true;
  }
  evict_for_insert(shard);
  Session s;
  s.id = r.sid;
  s.visits = r.visits;
  s.created_at_ms = r.created_at_ms;
  s.last_seen_ms = r.last_seen_ms;
  s.payload = r.payload;
  if (!ours) s.created_by = r.created_by;
  shard.lru.push_front(std::move(s));
  shard.index.emplace(r.sid, shard.lru.begin());
  live_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void MemorySessionStore::for_each(const std::function<void(const SessionRecord&)>& each) const {
  SessionRecord r;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    for (const Session& s : shard->lru) {
      r.sid = s.id;
      r.visits = s.visits;
      r.created_at_ms = s.created_at_ms;
      r.last_seen_ms = s.last_seen_ms;
      r.created_by = s.created_by.empty() ? options_.node_id : s.created_by;
      r.payload = s.payload;
      each(r);
    }
  }
}

SessionStoreStats MemorySessionStore::stats() const {
  SessionStoreStats s;
  s.live = live_.load(std::memory_order_relaxed);
  s.created = created_.load(std::memory_order_relaxed);
  s.expired = expired_.load(std::memory_order_relaxed);
  s.evicted = evicted_.load(std::memory_order_relaxed);
  return s;
}

int64_t MemorySessionStore::payload_size(std::string_view sid) const {
  auto id = SessionId::parse(sid);
  if (!id) return -1;
  Shard& shard = shard_for(*id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.index.find(*id);
  return it == shard.index.end() ? -1 : static_cast<int64_t>(it->second->payload.size());
}

}  // namespace iomb::http
