// RedisSessionStore on a scripted link (no socket): what a visit does while the link's first
// connect is in progress, once it is up, and once it has gone down.
#include "common/store/redis_session_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace iomb::store {
namespace {

struct Statuses final : http::VisitCallback {
  void on_visit(const http::VisitResult& r) override { seen.push_back(r.status); }
  std::vector<int> seen;
};

// A link whose state the test sets; it "sends" by taking the protocol's output.
struct ScriptedLink final : StoreLink {
  bool up = false;
  int flushes = 0;
  bool connected() const override { return up; }
  void flush() override { ++flushes; }
};

struct ScriptedIo final : LoopStoreIo {
  std::unique_ptr<StoreLink> open_link(const Endpoint&, StoreProtocol& p) override {
    protocol = &p;
    auto made = std::make_unique<ScriptedLink>();
    link = made.get();
    return made;
  }
  StoreProtocol* protocol = nullptr;
  ScriptedLink* link = nullptr;
};

uint64_t counter(const http::SessionStoreStats& s, std::string_view name) {
  for (const auto& [n, v] : s.counters)
    if (n == name) return v;
  ADD_FAILURE() << "no counter " << name;
  return 0;
}

class RedisSessionStoreTest : public ::testing::Test {
 protected:
  RedisSessionStoreTest() : store_(options()) { store_.attach_loop(io_); }
  ~RedisSessionStoreTest() override { store_.detach_loop(); }
  static RedisSessionStoreOptions options() {
    RedisSessionStoreOptions o;
    o.redis = {"127.0.0.1", 1};
    o.visit.node_id = "n1";
    return o;
  }
  std::string take_output() {
    std::string s(io_.protocol->output());
    io_.protocol->consume_output(s.size());
    return s;
  }
  ScriptedIo io_;
  RedisSessionStore store_;
  Statuses done_;
};

TEST_F(RedisSessionStoreTest, VisitDuringTheFirstConnectWaitsForItInsteadOf503) {
  store_.visit({}, done_);
  EXPECT_TRUE(done_.seen.empty());
  EXPECT_NE(take_output().find("HSET"), std::string::npos);  // queued for the link
  io_.link->up = true;
  io_.protocol->on_connected();
  io_.protocol->on_input(":4\r\n:1\r\n");  // HSET, PEXPIRE
  EXPECT_EQ(done_.seen, std::vector<int>{200});
  EXPECT_EQ(counter(store_.stats(), "unavailable"), 0u);
}

TEST_F(RedisSessionStoreTest, VisitQueuedForAFirstConnectThatFailsAnswers503) {
  store_.visit({}, done_);
  io_.protocol->on_disconnected();
  EXPECT_EQ(done_.seen, std::vector<int>{503});
  EXPECT_EQ(counter(store_.stats(), "failed"), 1u);
}

TEST_F(RedisSessionStoreTest, VisitQueuedForAFirstConnectTimesOutWithinTheBound) {
  store_.visit({}, done_);
  io_.protocol->on_tick(monotonic_ms() + 101);
  EXPECT_EQ(done_.seen, std::vector<int>{503});
  EXPECT_EQ(counter(store_.stats(), "timeouts"), 1u);
}

TEST_F(RedisSessionStoreTest, VisitWhileTheLinkIsDownAfterAFailureAnswers503AtOnce) {
  io_.protocol->on_disconnected();  // the first connect failed; the link retries later
  store_.visit({}, done_);
  EXPECT_EQ(done_.seen, std::vector<int>{503});
  EXPECT_EQ(take_output(), "");
  EXPECT_EQ(counter(store_.stats(), "unavailable"), 1u);
}

TEST_F(RedisSessionStoreTest, VisitWhileTheLinkIsDownAfterItWasUpAnswers503AtOnce) {
  io_.link->up = true;
  io_.protocol->on_connected();
  io_.link->up = false;
  io_.protocol->on_disconnected();
  store_.visit({}, done_);
  EXPECT_EQ(done_.seen, std::vector<int>{503});
  EXPECT_EQ(counter(store_.stats(), "unavailable"), 1u);
}

}  // namespace
}  // namespace iomb::store
