// MemorySessionStore directly: payload size, sharding, concurrent visits from many threads.
#include "common/http/memory_session_store.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace iomb::http {
namespace {

struct Capture final : VisitCallback {
  void on_visit(const VisitResult& r) override {
    result = r;
    auto hex = r.sid.hex();
    sid.assign(hex.data(), hex.size());
    ++calls;
  }
  VisitResult result;
  std::string sid;
  int calls = 0;
};

TEST(MemorySessionStore, CompletesSynchronouslyAndHoldsThePayload) {
  MemorySessionStoreOptions o;
  o.payload_bytes = 4096;
  o.node_id = "n";
  MemorySessionStore store(o);
  Capture c;
  store.visit({""}, c);
  EXPECT_EQ(c.calls, 1);
  EXPECT_TRUE(c.result.created);
  EXPECT_EQ(c.result.created_by, "n");
  EXPECT_EQ(store.payload_size(c.sid), 4096);
  std::string sid = c.sid;
  store.visit({sid}, c);
  EXPECT_EQ(c.calls, 2);
  EXPECT_FALSE(c.result.created);
  EXPECT_EQ(c.result.visits, 2u);
  EXPECT_EQ(c.sid, sid);
  EXPECT_EQ(store.payload_size("nope"), -1);
}

TEST(MemorySessionStore, ShardsOnlyLargeStores) {
  MemorySessionStoreOptions o;
  o.max_sessions = 100;
  EXPECT_EQ(MemorySessionStore(o).shard_count(), 1u);
  o.max_sessions = 100000;
  EXPECT_EQ(MemorySessionStore(o).shard_count(), 16u);
}

TEST(MemorySessionStore, NeverHoldsMoreThanMaxSessions) {
  for (uint64_t max : {1u, 3u, 20000u}) {
    MemorySessionStoreOptions o;
    o.max_sessions = max;
    MemorySessionStore store(o);
    Capture c;
    for (uint64_t i = 0; i < max + 500; ++i) store.visit({""}, c);
    auto s = store.stats();
    EXPECT_LE(s.live, max);
    EXPECT_EQ(s.created, max + 500);
    EXPECT_EQ(s.live + s.evicted, s.created);
  }
}

TEST(MemorySessionStore, ExpiredSessionsAreDroppedFromTheTail) {
  int64_t now = 0;
  MemorySessionStoreOptions o;
  o.ttl_s = 1;
  o.max_sessions = 100;  // one shard: expiry is swept per shard
  o.now_ms = [&now] { return now; };
  MemorySessionStore store(o);
  Capture c;
  for (int i = 0; i < 5; ++i) store.visit({""}, c);
  now = 1000;
  store.visit({""}, c);  // drops the five expired ones on its way
  EXPECT_EQ(store.stats().expired, 5u);
  EXPECT_EQ(store.stats().live, 1u);
}

TEST(MemorySessionStore, ConcurrentVisitsCountEveryVisit) {
  MemorySessionStoreOptions o;
  o.max_sessions = 1 << 20;  // sharded
  MemorySessionStore store(o);
  Capture seed;
  store.visit({""}, seed);
  const std::string shared = seed.sid;
  constexpr int kThreads = 4, kVisits = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      Capture c;
      for (int i = 0; i < kVisits; ++i) {
        store.visit({shared}, c);
        store.visit({""}, c);
      }
    });
  }
  for (auto& t : threads) t.join();
  Capture last;
  store.visit({shared}, last);
  EXPECT_EQ(last.result.visits, uint64_t{kThreads} * kVisits + 2);
  EXPECT_EQ(store.stats().created, uint64_t{kThreads} * kVisits + 1);
}

}  // namespace
}  // namespace iomb::http
