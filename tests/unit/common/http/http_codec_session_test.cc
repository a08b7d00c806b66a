// HttpCodec + HttpService sessions: create and continue through the sid cookie, cookie parsing
// among similar headers, malformed sids, TTL expiry, LRU eviction and node-id escaping.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/http/http_codec.h"
#include "tests/unit/common/http/codec_test_fixture.h"

namespace iomb::http {
namespace {

using testing::CodecTest;
using testing::parse_responses;
using testing::ParsedResponse;

std::string sid_from_cookie(const ParsedResponse& r) { return testing::sid_from_set_cookie(r); }

TEST_F(CodecTest, SessionCreateAndContinue) {
  auto first = one("GET /session HTTP/1.1\r\n\r\n");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.header("X-Node"), "node-a");
  EXPECT_EQ(first.header("Content-Type"), "application/json");
  std::string sid = sid_from_cookie(first);
  ASSERT_EQ(sid.size(), 32u) << first.raw;
  auto j = nlohmann::json::parse(first.body);
  EXPECT_EQ(j, nlohmann::json(
                   {{"sid", sid}, {"visits", 1}, {"node", "node-a"}, {"created_by", "node-a"}}));
  for (int visit = 2; visit <= 4; ++visit) {
    auto next = one("GET /session HTTP/1.1\r\nCookie: theme=x; sid=" + sid + "\r\n\r\n");
    EXPECT_FALSE(next.header("Set-Cookie").has_value());
    auto n = nlohmann::json::parse(next.body);
    EXPECT_EQ(n["sid"], sid);
    EXPECT_EQ(n["visits"], visit);
  }
  // Two Cookie headers are joined.
  auto joined = one("GET /session HTTP/1.1\r\nCookie: a=1\r\nCookie: sid=" + sid + "\r\n\r\n");
  EXPECT_EQ(nlohmann::json::parse(joined.body)["visits"], 5);
}

// Header names and values arrive in pieces and may be empty; the cookie must still be found,
// and only under the Cookie header.
TEST_F(CodecTest, CookieHeaderAmongEmptyAndSimilarHeaders) {
  std::string sid = sid_from_cookie(one("GET /session HTTP/1.1\r\n\r\n"));
  ASSERT_EQ(sid.size(), 32u);
  const std::string variants[] = {
      "X-Empty:\r\nCookie: sid=" + sid + "\r\n",
      "X-Empty: \r\ncookie: sid=" + sid + "\r\nX-After:\r\n",
      "Cookie:\r\nX-Other: sid=nope\r\nCOOKIE: sid=" + sid + "\r\n",
      "Cookies: sid=nope\r\nCookie: sid=" + sid + "\r\n",
  };
  int expected_visits = 1;
  for (const std::string& headers : variants) {
    std::string req = "GET /session HTTP/1.1\r\n" + headers + "\r\n";
    // Whole, and one byte at a time.
    for (bool bytewise : {false, true}) {
      HttpCodec codec(*service_);
      std::string out;
      if (bytewise) {
        for (char c : req) out += feed(codec, std::string_view(&c, 1));
      } else {
        out = feed(codec, req);
      }
      auto r = parse_responses(out);
      ASSERT_EQ(r.size(), 1u) << headers;
      EXPECT_EQ(nlohmann::json::parse(r[0].body)["visits"], ++expected_visits) << headers;
    }
  }
  // A Cookie-like header alone is not a cookie.
  EXPECT_EQ(nlohmann::json::parse(
                one("GET /session HTTP/1.1\r\nX-Cookie: sid=" + sid + "\r\n\r\n").body)["visits"],
            1);
}

TEST_F(CodecTest, UnknownOrMalformedSidStartsANewSession) {
  for (std::string cookie : {"sid=00000000000000000000000000000000", "sid=xyz",
                             "sid=", "xsid=00000000000000000000000000000000"}) {
    auto r = one("GET /session HTTP/1.1\r\nCookie: " + cookie + "\r\n\r\n");
    EXPECT_EQ(sid_from_cookie(r).size(), 32u) << cookie;
    EXPECT_EQ(nlohmann::json::parse(r.body)["visits"], 1) << cookie;
  }
}

TEST_F(CodecTest, SessionExpiresAfterTtlSinceLastVisit) {
  std::string sid = sid_from_cookie(one("GET /session HTTP/1.1\r\n\r\n"));
  std::string again = "GET /session HTTP/1.1\r\nCookie: sid=" + sid + "\r\n\r\n";
  now_ms_ += 9'999;  // TTL is 10 s
  EXPECT_EQ(nlohmann::json::parse(one(again).body)["visits"], 2);
  now_ms_ += 9'999;  // still alive: the TTL runs from the last visit
  EXPECT_EQ(nlohmann::json::parse(one(again).body)["visits"], 3);
  now_ms_ += 10'000;
  auto expired = one(again);
  EXPECT_EQ(nlohmann::json::parse(expired.body)["visits"], 1);
  EXPECT_NE(sid_from_cookie(expired), sid);
  EXPECT_EQ(store_->stats().expired, 1u);
}

TEST_F(CodecTest, LeastRecentlyUsedSessionIsEvicted) {
  make_service(1 << 20, /*max_sessions=*/2);
  std::string a = sid_from_cookie(one("GET /session HTTP/1.1\r\n\r\n"));
  std::string b = sid_from_cookie(one("GET /session HTTP/1.1\r\n\r\n"));
  auto visit = [&](const std::string& sid) {
    return nlohmann::json::parse(
        one("GET /session HTTP/1.1\r\nCookie: sid=" + sid + "\r\n\r\n").body);
  };
  EXPECT_EQ(visit(a)["visits"], 2);  // a is now more recent than b
  std::string c = sid_from_cookie(one("GET /session HTTP/1.1\r\n\r\n"));  // evicts b
  EXPECT_EQ(store_->stats().evicted, 1u);
  EXPECT_EQ(store_->stats().live, 2u);
  EXPECT_EQ(visit(a)["visits"], 3);
  EXPECT_EQ(visit(c)["visits"], 2);
  auto lost = visit(b);  // evicted: a new session (which evicts a, now least recent)
  EXPECT_EQ(lost["visits"], 1);
  EXPECT_NE(lost["sid"], b);
  EXPECT_EQ(store_->stats().evicted, 2u);
}

TEST_F(CodecTest, NodeIdIsEscapedInJson) {
  HttpServiceOptions ho;
  ho.node_id = "n\"1\\";
  MemorySessionStoreOptions so;
  so.node_id = ho.node_id;
  HttpService service(ho, std::make_unique<MemorySessionStore>(so), nullptr);
  HttpCodec codec(service);
  auto r = parse_responses(feed(codec, "GET /session HTTP/1.1\r\n\r\n"));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(r[0].body)["node"], "n\"1\\");
  EXPECT_THROW(HttpService(HttpServiceOptions{.node_id = "a\r\nb"}, nullptr, nullptr),
               std::invalid_argument);
}

}  // namespace
}  // namespace iomb::http
