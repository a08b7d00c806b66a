// --session-store redis against every server row, with a real redis-server of the test's own
// (cluster::RedisServer): create, continue and expiry as Redis holds them; the lost-update race (two
// connections hammering one sid must count every visit); Redis killed (fast 503s, the other
// endpoints unaffected) and restarted (service resumes by itself); Redis paused (503 by the
// --store-timeout-ms bound); and the outcome counters in /stats and the stopped line.
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/integration/http_suite.h"
#include "tests/integration/http_test_client.h"
#include "harness/cluster/redis_server.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

nlohmann::json json_of(const std::optional<HttpResponse>& r) {
  if (!r) return nullptr;
  return nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
}

int64_t ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// Starts the test's redis-server into `redis` (skipping the test when it cannot run here),
// then the row's server using it, into `server`.
#define IOMB_REDIS_START(redis, server, ...)                                                      \
  cluster::RedisServer redis;                                                                            \
  if (!redis.available()) GTEST_SKIP() << redis.error();                                          \
  std::vector<std::string> server##_flags{"--session-store", "redis", "--redis",                  \
                                          redis.endpoint()};                                      \
  for (const std::string& f : std::vector<std::string>(__VA_ARGS__)) server##_flags.push_back(f); \
  IOMB_HTTP_START(server, server##_flags)

TEST_P(HttpServerTest, RedisSessionCreateContinueAsRedisHoldsIt) {
  IOMB_REDIS_START(redis, server, {"--session-ttl-s", "60", "--session-bytes", "100"});
  auto fd = connect_loopback(server->port());
  auto first = roundtrip(fd.get(), get_request("/session"));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  std::string sid = http::testing::sid_from_set_cookie(*first);
  ASSERT_EQ(sid.size(), 32u);
  EXPECT_EQ(json_of(first)["visits"], 1);
  for (int visit = 2; visit <= 4; ++visit) {
    auto other = connect_loopback(server->port());
    auto r = roundtrip(other.get(), get_request("/session", "sid=" + sid));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_FALSE(r->header("Set-Cookie").has_value());
    EXPECT_EQ(json_of(r)["visits"], visit);
    EXPECT_EQ(json_of(r)["sid"], sid);
  }
  const std::string key = "iomb:s:" + sid;
  EXPECT_EQ(redis.command({"HGET", key, "visits"}), "4");
  EXPECT_EQ(redis.command({"HGET", key, "created_by"}), json_of(first)["node"]);
  EXPECT_EQ(redis.command({"HSTRLEN", key, "payload"}), "100");
  auto pttl = std::stoll(redis.command({"PTTL", key}).value_or("-1"));
  EXPECT_GT(pttl, 50'000);
  EXPECT_LE(pttl, 60'000);
  auto stats = json_of(roundtrip(fd.get(), get_request("/stats")));
  EXPECT_EQ(stats["sessions"]["store"], "redis");
  EXPECT_EQ(stats["sessions"]["ok"], 4);
  EXPECT_EQ(stats["sessions"]["created"], 1);
  EXPECT_EQ(stats["sessions"]["round_trips"], 4);  // one per visit
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(stopped["sessions"]["ok"], 4) << stopped.dump();
}

TEST_P(HttpServerTest, RedisSessionExpiresWithItsTtl) {
  IOMB_REDIS_START(redis, server, {"--session-ttl-s", "1"});
  auto fd = connect_loopback(server->port());
  auto first = roundtrip(fd.get(), get_request("/session"));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);  // even on a loop whose link was still connecting
  std::string sid = http::testing::sid_from_set_cookie(*first);
  std::this_thread::sleep_for(1300ms);
  auto after = roundtrip(fd.get(), get_request("/session", "sid=" + sid));
  ASSERT_TRUE(after);
  ASSERT_EQ(after->status, 200);
  EXPECT_EQ(json_of(after)["visits"], 1);
  EXPECT_NE(http::testing::sid_from_set_cookie(*after), sid);
  // The lost sid's bare hash (made by HINCRBY) is gone again.
  EXPECT_EQ(redis.command({"EXISTS", "iomb:s:" + sid}), "0");
  auto stats = json_of(roundtrip(fd.get(), get_request("/stats")));
  EXPECT_EQ(stats["sessions"]["lost"], 1) << stats.dump();
}

// Spring Session's default save mode loses visits here (its issues #1471, #3285): a read, a
// local increment and a write back. HINCRBY cannot.
TEST_P(HttpServerTest, RedisTwoConnectionsHammeringOneSidLoseNoVisit) {
  IOMB_REDIS_START(redis, server, {});
  auto fd = connect_loopback(server->port());
  auto first = roundtrip(fd.get(), get_request("/session"));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  const std::string sid = http::testing::sid_from_set_cookie(*first);
  constexpr int kRounds = 50, kDepth = 4;  // per connection: 50 writes of 4 pipelined visits
  std::string burst;
  for (int i = 0; i < kDepth; ++i) burst += get_request("/session", "sid=" + sid);
  std::vector<uint64_t> seen[2];
  std::thread hammer[2];
  for (int t = 0; t < 2; ++t) {
    hammer[t] = std::thread([&, t] {
      auto c = connect_loopback(server->port());
      std::string buffer;
      for (int round = 0; round < kRounds; ++round) {
        if (!send_all(c.get(), burst)) return;
        for (auto& r : read_responses(c.get(), kDepth, &buffer)) {
          auto j = nlohmann::json::parse(r.body, nullptr, false);
          if (r.status == 200 && j.is_object()) seen[t].push_back(j["visits"].get<uint64_t>());
        }
      }
    });
  }
  for (auto& h : hammer) h.join();
  ASSERT_EQ(seen[0].size() + seen[1].size(), 2u * kRounds * kDepth);
  std::set<uint64_t> all(seen[0].begin(), seen[0].end());
  all.insert(seen[1].begin(), seen[1].end());
  // Every visit got its own count: 2..401, none twice, none missing.
  EXPECT_EQ(all.size(), 2u * kRounds * kDepth);
  EXPECT_EQ(*all.begin(), 2u);
  EXPECT_EQ(*all.rbegin(), 1u + 2 * kRounds * kDepth);
  EXPECT_EQ(redis.command({"HGET", "iomb:s:" + sid, "visits"}),
            std::to_string(1 + 2 * kRounds * kDepth));
}

TEST_P(HttpServerTest, RedisKilledAnswersFast503ThenRecoversWhenBack) {
  IOMB_REDIS_START(redis, server, {"--store-timeout-ms", "100"});
  auto fd = connect_loopback(server->port());
  auto ok = roundtrip(fd.get(), get_request("/session"));
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200);
  redis.kill();
  int unavailable = 0;
  for (int i = 0; i < 20; ++i) {
    auto start = Clock::now();
    auto r = roundtrip(fd.get(), get_request("/session"));
    ASSERT_TRUE(r) << "request " << i << " got no answer";
    if (r->status == 503) {
      ++unavailable;
      EXPECT_LT(ms_since(start), 400) << "a 503 must be fast";
    }
    // The other endpoints do not depend on Redis.
    auto root = roundtrip(fd.get(), get_request("/"));
    ASSERT_TRUE(root);
    EXPECT_EQ(root->status, 200);
  }
  EXPECT_GE(unavailable, 19);  // the first may race the kill
  ASSERT_TRUE(redis.restart()) << redis.error();
  bool recovered = false;
  auto deadline = Clock::now() + 5s;
  while (!recovered && Clock::now() < deadline) {
    auto r = roundtrip(fd.get(), get_request("/session"));
    ASSERT_TRUE(r);
    recovered = r->status == 200;
    if (!recovered) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(recovered) << "no 200 within 5 s of Redis being back";
  auto stats = json_of(roundtrip(fd.get(), get_request("/stats")));
  auto s = stats["sessions"];
  EXPECT_GE(s["disconnects"].get<int>(), 1) << s.dump();
  EXPECT_GE(s["unavailable"].get<int>() + s["failed"].get<int>() + s["timeouts"].get<int>(), 19)
      << s.dump();
}

TEST_P(HttpServerTest, RedisPausedAnswers503WithinTheTimeoutAndOthersAreServed) {
  IOMB_REDIS_START(redis, server, {"--store-timeout-ms", "100"});
  auto fd = connect_loopback(server->port());
  ASSERT_EQ(roundtrip(fd.get(), get_request("/session"))->status, 200);
  redis.pause();
  auto start = Clock::now();
  ASSERT_TRUE(send_all(fd.get(), get_request("/session")));
  // While that visit waits on Redis, another connection is served at once (bio: its own
  // thread; the event loops: they never block on the store).
  auto other = connect_loopback(server->port());
  auto root_start = Clock::now();
  auto root = roundtrip(other.get(), get_request("/"));
  ASSERT_TRUE(root);
  EXPECT_LT(ms_since(root_start), 80);
  std::string buffer;
  auto r = read_response(fd.get(), &buffer, 2000ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  auto waited = ms_since(start);
  EXPECT_GE(waited, 90);
  EXPECT_LT(waited, 400);
  redis.resume();
  bool recovered = false;
  for (int i = 0; i < 100 && !recovered; ++i) {
    auto again = roundtrip(fd.get(), get_request("/session"), 2000ms);
    ASSERT_TRUE(again);
    recovered = again->status == 200;
    if (!recovered) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(recovered);
  auto stats = json_of(roundtrip(fd.get(), get_request("/stats")));
  EXPECT_GE(stats["sessions"]["timeouts"].get<int>(), 1) << stats["sessions"].dump();
}

}  // namespace
}  // namespace iomb::testing
