// SessionId: random generation, hex round trip, strict parsing; the Date formatter.
#include "common/http/session_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/http/http_date.h"

namespace iomb::http {
namespace {

TEST(SessionId, HexRoundTrip) {
  SessionId id{0x0123456789abcdefull, 0xfedcba9876543210ull};
  auto hex = id.hex();
  EXPECT_EQ(std::string(hex.data(), hex.size()), "0123456789abcdeffedcba9876543210");
  auto parsed = SessionId::parse(std::string_view(hex.data(), hex.size()));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, id);
  EXPECT_EQ(SessionId::parse("0123456789ABCDEFFEDCBA9876543210"), id);
}

TEST(SessionId, RejectsAnythingButThirtyTwoHexDigits) {
  EXPECT_FALSE(SessionId::parse(""));
  EXPECT_FALSE(SessionId::parse("0123456789abcdef0123456789abcde"));    // 31
  EXPECT_FALSE(SessionId::parse("0123456789abcdef0123456789abcdef0"));  // 33
  EXPECT_FALSE(SessionId::parse("0123456789abcdef0123456789abcdeg"));
  EXPECT_FALSE(SessionId::parse("0123456789abcdef 123456789abcdef"));
}

TEST(SessionId, RandomIdsDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto hex = SessionId::random().hex();
    seen.emplace(hex.data(), hex.size());
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(HttpDate, FormatsImfFixdate) {
  char buf[kHttpDateLength];
  format_http_date(784111777, buf);  // RFC 9110's example
  EXPECT_EQ(std::string(buf, kHttpDateLength), "Sun, 06 Nov 1994 08:49:37 GMT");
  format_http_date(0, buf);
  EXPECT_EQ(std::string(buf, kHttpDateLength), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(http_date_now().size(), kHttpDateLength);
  EXPECT_EQ(http_date_now().substr(26), "GMT");
}

}  // namespace
}  // namespace iomb::http
