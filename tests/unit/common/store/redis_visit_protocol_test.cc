// RedisVisitProtocol without a socket: the commands it writes, and the replies (canned RESP)
// fed back whole, split at every byte, late, wrong, or never.
#include "common/store/redis_visit_protocol.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace iomb::store {
namespace {

struct Recorder final : http::VisitCallback {
  void on_visit(const http::VisitResult& r) override {
    statuses.push_back(r.status);
    visits.push_back(r.visits);
    created.push_back(r.created);
    created_by.emplace_back(r.created_by);
    auto hex = r.sid.hex();
    sids.emplace_back(hex.data(), hex.size());
  }
  std::vector<int> statuses;
  std::vector<uint64_t> visits;
  std::vector<bool> created;
  std::vector<std::string> created_by;
  std::vector<std::string> sids;
};

constexpr std::string_view kSid = "0123456789abcdef0123456789abcdef";
// The replies to one continued visit: HINCRBY, PEXPIRE, HMGET created_by payload.
std::string continue_replies(int visits, std::string_view by) {
  return ":" + std::to_string(visits) + "\r\n:1\r\n*2\r\n$" + std::to_string(by.size()) +
         "\r\n" + std::string(by) + "\r\n$0\r\n\r\n";
}
constexpr std::string_view kCreateReplies = ":3\r\n:1\r\n";  // HSET, PEXPIRE

class RedisVisitProtocolTest : public ::testing::Test {
 protected:
  RedisVisitProtocolTest() { options.node_id = "n1"; }
  std::string take(RedisVisitProtocol& p) {
    std::string s(p.output());
    p.consume_output(s.size());
    return s;
  }
  RedisVisitOptions options;
  RedisCounters counters;
  Recorder rec;
};

TEST_F(RedisVisitProtocolTest, NewSessionIsOneHsetAndPexpire) {
  options.payload_bytes = 5;
  options.ttl_ms = 1234;
  RedisVisitProtocol p(options, counters);
  p.start_visit({}, rec, 0);
  std::string out = take(p);
  EXPECT_EQ(out.rfind("*10\r\n$4\r\nHSET\r\n$39\r\niomb:s:", 0), 0u) << out;
  EXPECT_NE(out.find("$10\r\ncreated_by\r\n$2\r\nn1\r\n$7\r\npayload\r\n$5\r\nppppp\r\n"),
            std::string::npos);
  EXPECT_NE(out.find("*3\r\n$7\r\nPEXPIRE\r\n$39\r\niomb:s:"), std::string::npos);
  EXPECT_NE(out.find("$4\r\n1234\r\n"), std::string::npos);
  EXPECT_FALSE(p.idle());
  p.on_input(kCreateReplies);
  ASSERT_EQ(rec.statuses.size(), 1u);
  EXPECT_EQ(rec.statuses[0], 200);
  EXPECT_TRUE(rec.created[0]);
  EXPECT_EQ(rec.visits[0], 1u);
  EXPECT_EQ(rec.created_by[0], "n1");
  EXPECT_TRUE(p.idle());
  EXPECT_EQ(counters.created, 1u);
  EXPECT_EQ(counters.round_trips, 1u);
}

TEST_F(RedisVisitProtocolTest, KnownSidIsAtomicIncrementInOneRoundTrip) {
  RedisVisitProtocol p(options, counters);
  p.start_visit({kSid, {}}, rec, 0);
  std::string out = take(p);
  std::string key = "iomb:s:" + std::string(kSid);
  EXPECT_EQ(out, "*4\r\n$7\r\nHINCRBY\r\n$39\r\n" + key + "\r\n$6\r\nvisits\r\n$1\r\n1\r\n" +
                     "*3\r\n$7\r\nPEXPIRE\r\n$39\r\n" + key + "\r\n$7\r\n1800000\r\n" +
                     "*4\r\n$5\r\nHMGET\r\n$39\r\n" + key +
                     "\r\n$10\r\ncreated_by\r\n$7\r\npayload\r\n");
  p.on_input(continue_replies(7, "other"));
  ASSERT_EQ(rec.statuses.size(), 1u);
  EXPECT_EQ(rec.statuses[0], 200);
  EXPECT_FALSE(rec.created[0]);
  EXPECT_EQ(rec.visits[0], 7u);
  EXPECT_EQ(rec.created_by[0], "other");
  EXPECT_EQ(rec.sids[0], kSid);
  EXPECT_EQ(counters.round_trips, 1u);
}

TEST_F(RedisVisitProtocolTest, LostSidDeletesTheBareHashAndCreatesANewSession) {
  RedisVisitProtocol p(options, counters);
  p.start_visit({kSid, {}}, rec, 0);
  take(p);
  p.on_input(":1\r\n:1\r\n*2\r\n$-1\r\n$-1\r\n");  // HINCRBY made a bare hash: no created_by
  EXPECT_TRUE(rec.statuses.empty());
  std::string out = take(p);
  EXPECT_EQ(out.rfind("*2\r\n$3\r\nDEL\r\n$39\r\niomb:s:" + std::string(kSid), 0), 0u) << out;
  EXPECT_NE(out.find("HSET"), std::string::npos);
  p.on_input(":1\r\n:3\r\n:1\r\n");
  ASSERT_EQ(rec.statuses.size(), 1u);
  EXPECT_EQ(rec.statuses[0], 200);
  EXPECT_TRUE(rec.created[0]);
  EXPECT_NE(rec.sids[0], kSid);
  EXPECT_EQ(counters.lost, 1u);
  EXPECT_EQ(counters.round_trips, 2u);
}

TEST_F(RedisVisitProtocolTest, PipelinedVisitsCompleteInOrderWhateverTheSplit) {
  const std::string replies = continue_replies(2, "a") + std::string(kCreateReplies) +
                              continue_replies(9, "bb");
  for (size_t split = 0; split <= replies.size(); ++split) {
    Recorder r;
    RedisVisitProtocol p(options, counters);
    p.start_visit({kSid, {}}, r, 0);
    p.start_visit({}, r, 0);
    p.start_visit({kSid, {}}, r, 0);
    p.on_input(std::string_view(replies).substr(0, split));
    p.on_input(std::string_view(replies).substr(split));
    ASSERT_EQ(r.visits, (std::vector<uint64_t>{2, 1, 9})) << "split " << split;
    EXPECT_EQ(r.created_by, (std::vector<std::string>{"a", "n1", "bb"}));
    EXPECT_TRUE(p.idle());
  }
}

TEST_F(RedisVisitProtocolTest, OverdueVisitAnswers503AndItsLateRepliesAreSwallowed) {
  options.timeout_ms = 100;
  RedisVisitProtocol p(options, counters);
  p.start_visit({kSid, {}}, rec, 1000);
  p.on_tick(1099);
  EXPECT_TRUE(rec.statuses.empty());
  p.on_tick(1100);
  ASSERT_EQ(rec.statuses, (std::vector<int>{503}));
  EXPECT_EQ(counters.timeouts, 1u);
  p.start_visit({kSid, {}}, rec, 1200);
  p.on_input(continue_replies(5, "x"));  // the late replies of the first
  EXPECT_EQ(rec.statuses.size(), 1u);
  p.on_input(continue_replies(6, "x"));
  ASSERT_EQ(rec.statuses, (std::vector<int>{503, 200}));
  EXPECT_EQ(rec.visits[1], 6u);
}

TEST_F(RedisVisitProtocolTest, DisconnectFailsEverythingInFlightAndDropsOutput) {
  RedisVisitProtocol p(options, counters);
  p.start_visit({kSid, {}}, rec, 0);
  p.start_visit({}, rec, 0);
  p.on_input(":4\r\n");  // a partial reply: the new connection must not see its rest
  p.on_disconnected();
  EXPECT_EQ(rec.statuses, (std::vector<int>{503, 503}));
  EXPECT_EQ(p.pending_output(), 0u);
  EXPECT_TRUE(p.idle());
  EXPECT_EQ(counters.failed, 2u);
  EXPECT_EQ(counters.disconnects, 1u);
  p.on_connected();
  p.start_visit({}, rec, 0);
  p.on_input(kCreateReplies);
  EXPECT_EQ(rec.statuses.back(), 200);
}

TEST_F(RedisVisitProtocolTest, ErrorReplyIs503) {
  RedisVisitProtocol p(options, counters);
  p.start_visit({kSid, {}}, rec, 0);
  p.on_input("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n:1\r\n");
  p.on_input("*2\r\n$1\r\na\r\n$0\r\n\r\n");
  EXPECT_EQ(rec.statuses, (std::vector<int>{503}));
  EXPECT_EQ(counters.errors, 1u);
}

TEST_F(RedisVisitProtocolTest, TooManyInFlightAnswers503WithoutSending) {
  options.max_in_flight = 2;
  RedisVisitProtocol p(options, counters);
  p.start_visit({}, rec, 0);
  p.start_visit({}, rec, 0);
  size_t before = p.pending_output();
  p.start_visit({}, rec, 0);
  EXPECT_EQ(rec.statuses, (std::vector<int>{503}));
  EXPECT_EQ(p.pending_output(), before);
  EXPECT_EQ(counters.overloaded, 1u);
}

TEST_F(RedisVisitProtocolTest, GarbageFromTheServerFailsWhatIsInFlight) {
  RedisVisitProtocol p(options, counters);
  p.start_visit({}, rec, 0);
  p.on_input("?garbage\r\n");
  EXPECT_EQ(rec.statuses, (std::vector<int>{503}));
  EXPECT_TRUE(p.idle());
}

// A callback that starts the next visit from inside on_input (a pipelined HTTP request).
TEST_F(RedisVisitProtocolTest, CallbackMayStartAVisit) {
  struct Chain final : http::VisitCallback {
    RedisVisitProtocol* p = nullptr;
    int calls = 0;
    void on_visit(const http::VisitResult&) override {
      EXPECT_TRUE(p->in_callback());
      if (++calls == 1) p->start_visit({}, *this, 0);
    }
  } chain;
  RedisVisitProtocol p(options, counters);
  chain.p = &p;
  p.start_visit({}, chain, 0);
  EXPECT_FALSE(p.in_callback());
  p.on_input(kCreateReplies);
  EXPECT_EQ(chain.calls, 1);
  EXPECT_FALSE(p.idle());
  p.on_input(kCreateReplies);
  EXPECT_EQ(chain.calls, 2);
}

}  // namespace
}  // namespace iomb::store
