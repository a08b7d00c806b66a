// CookieSessionStore: create, continue, expiry, tamper, truncation, wrong key, rotation,
// replay, overflow, malformed input, counters, and the secret-file parser.
#include "common/http/cookie_session_store.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

namespace iomb::http {
namespace {

struct Captured final : VisitCallback {
  void on_visit(const VisitResult& r) override {
    calls += 1;
    status = r.status;
    sid = r.sid;
    visits = r.visits;
    created = r.created;
    created_by = std::string(r.created_by);
    set_cookie = std::string(r.set_cookie);
  }
  // The value of `sess=` in set_cookie.
  std::string value() const {
    auto start = set_cookie.find('=') + 1;
    return set_cookie.substr(start, set_cookie.find(';') - start);
  }
  int calls = 0;
  int status = 0;
  SessionId sid;
  uint64_t visits = 0;
  bool created = false;
  std::string created_by;
  std::string set_cookie;
};

constexpr std::string_view kKeyA = "key-A-0123456789abcdef";
constexpr std::string_view kKeyB = "key-B-0123456789abcdef";

struct Fixture {
  explicit Fixture(std::string keys, uint64_t payload = 0) {
    CookieSessionStoreOptions o;
    o.ttl_s = 10;
    o.payload_bytes = payload;
    o.node_id = "n1";
    o.keys = parse_cookie_keys(keys);
    o.now_ms = [this] { return now; };
    store = std::make_unique<CookieSessionStore>(std::move(o));
  }
  Captured visit(std::string_view sess) {
    Captured c;
    store->visit(VisitRequest{{}, sess}, c);
    EXPECT_EQ(c.calls, 1);
    return c;
  }
  uint64_t counter(std::string_view name) const {
    for (const auto& [n, v] : store->stats().counters) {
      if (n == name) return v;
    }
    ADD_FAILURE() << "no counter " << name;
    return 0;
  }
  int64_t now = 1'000'000;
  std::unique_ptr<CookieSessionStore> store;
};

std::string keys(std::string_view a) { return std::string(a) + "\n"; }
std::string keys(std::string_view a, std::string_view b) {
  return std::string(a) + "\n\n" + std::string(b) + "\n";
}

TEST(CookieSessionStore, CreatesThenContinuesFromTheCookie) {
  Fixture f(keys(kKeyA));
  Captured first = f.visit({});
  EXPECT_EQ(first.status, 200);
  EXPECT_TRUE(first.created);
  EXPECT_EQ(first.visits, 1u);
  EXPECT_EQ(first.created_by, "n1");
  EXPECT_EQ(first.set_cookie.rfind("sess=", 0), 0u);
  EXPECT_NE(first.set_cookie.find("; Path=/; HttpOnly; SameSite=Lax"), std::string::npos);
  Captured second = f.visit(first.value());
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.visits, 2u);
  EXPECT_EQ(second.sid, first.sid);
  Captured third = f.visit(second.value());
  EXPECT_EQ(third.visits, 3u);
  EXPECT_EQ(f.counter("issued"), 3u);
  EXPECT_EQ(f.store->stats().created, 1u);
}

TEST(CookieSessionStore, ExpiredCookieStartsANewSessionAndReplayIsRejected) {
  Fixture f(keys(kKeyA));
  Captured first = f.visit({});
  f.now += 5'000;
  Captured second = f.visit(first.value());  // sliding: expiry moves to now + 10 s
  EXPECT_EQ(second.visits, 2u);
  f.now += 9'000;
  EXPECT_EQ(f.visit(second.value()).visits, 3u);
  EXPECT_EQ(f.visit(first.value()).visits, 1u);  // replay of the first cookie: expired
  EXPECT_EQ(f.counter("rejected_expired"), 1u);
}

TEST(CookieSessionStore, TamperedValueOrMacIsRejected) {
  Fixture f(keys(kKeyA));
  std::string value = f.visit({}).value();
  std::string body = value;
  body[10] = body[10] == 'A' ? 'B' : 'A';  // inside expires/sid
  Captured c = f.visit(body);
  EXPECT_TRUE(c.created);
  EXPECT_EQ(c.visits, 1u);
  std::string tag = value;
  tag[tag.size() - 3] = tag[tag.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_TRUE(f.visit(tag).created);
  EXPECT_EQ(f.counter("rejected_tampered"), 2u);
  EXPECT_EQ(f.counter("rejected_malformed"), 0u);
}

TEST(CookieSessionStore, TruncatedAndMalformedAreMalformed) {
  Fixture f(keys(kKeyA));
  std::string value = f.visit({}).value();
  EXPECT_TRUE(f.visit(value.substr(0, value.size() - 4)).created);
  EXPECT_TRUE(f.visit(value.substr(0, 20)).created);
  EXPECT_TRUE(f.visit("not*base64!").created);
  EXPECT_TRUE(f.visit("A").created);
  EXPECT_EQ(f.counter("rejected_malformed"), 4u);
  EXPECT_EQ(f.counter("rejected_tampered"), 0u);
}

TEST(CookieSessionStore, RotationVerifiesOldKeysAndSignsWithTheFirst) {
  Fixture a(keys(kKeyA));
  Fixture ba(keys(kKeyB, kKeyA));
  Fixture b(keys(kKeyB));
  Captured signed_a = a.visit({});
  Captured resigned = ba.visit(signed_a.value());
  EXPECT_FALSE(resigned.created);
  EXPECT_EQ(resigned.visits, 2u);
  // Re-signed with B: a B-only server accepts it, an A-only server does not know the key.
  EXPECT_EQ(b.visit(resigned.value()).visits, 3u);
  EXPECT_TRUE(b.visit(signed_a.value()).created);
  EXPECT_EQ(b.counter("rejected_wrong_key"), 1u);
  EXPECT_TRUE(a.visit(resigned.value()).created);
  EXPECT_EQ(a.counter("rejected_wrong_key"), 1u);
}

TEST(CookieSessionStore, OverflowIsRefusedNotTruncated) {
  // Fixed 58 + created_by 2 + mac 32 = 92 bytes; base64url of n bytes is ceil(4n/3);
  // "sess=" is 5: a cookie of 4096 bytes has 4091 base64 chars = 3068 raw bytes.
  Fixture fits(keys(kKeyA), 3068 - 92);
  Captured ok = fits.visit({});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.value().size() + 5, 4091u + 5);
  Fixture over(keys(kKeyA), 3069 - 92);
  Captured refused = over.visit({});
  EXPECT_EQ(refused.status, 500);
  EXPECT_TRUE(refused.set_cookie.empty());
  EXPECT_EQ(over.counter("too_large"), 1u);
  EXPECT_EQ(over.counter("issued"), 0u);
}

TEST(CookieSessionStore, PayloadTravelsInTheCookie) {
  Fixture small(keys(kKeyA), 0);
  Fixture big(keys(kKeyA), 300);
  EXPECT_EQ(big.visit({}).value().size() - small.visit({}).value().size(), 400u);
}

TEST(CookieKeys, ParserRejectsEmptyAndShortKeys) {
  EXPECT_THROW(parse_cookie_keys(""), std::invalid_argument);
  EXPECT_THROW(parse_cookie_keys("\n \n\r\n"), std::invalid_argument);
  try {
    parse_cookie_keys(std::string(kKeyA) + "\nshort\n");
    FAIL() << "a short key was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
  auto parsed = parse_cookie_keys(std::string(kKeyA) + "\r\n\n" + std::string(kKeyB));
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].secret, kKeyA);
  EXPECT_EQ(parsed[1].secret, kKeyB);
  EXPECT_NE(parsed[0].id, parsed[1].id);
  EXPECT_THROW(load_cookie_keys("/nonexistent/secret"), std::invalid_argument);
  EXPECT_THROW(load_cookie_keys(""), std::invalid_argument);
}

}  // namespace
}  // namespace iomb::http
