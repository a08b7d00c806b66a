// Tests for harness/load/cookie_jar.h against RFC 6265 §5: parsing (§5.2), the cookie-date
// algorithm (§5.1.1), storage, replacement and deletion (§5.3), domain and path matching
// (§5.1.3, §5.1.4) and the Cookie header's order (§5.4).
#include "harness/load/cookie_jar.h"

#include <gtest/gtest.h>

#include <string>

namespace iomb::harness {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;  // 2027-01-15, Unix ms

CookieJar jar(const std::string& path = "/session") { return CookieJar("127.0.0.1", path); }

int64_t date(const char* text) {
  int64_t ms = 0;
  EXPECT_TRUE(CookieJar::parse_cookie_date(text, &ms)) << text;
  return ms;
}

TEST(CookieJarTest, NameValueAndAttributesAreParsed) {
  CookieJar j = jar();
  EXPECT_TRUE(j.apply("sid=00ff; Path=/; HttpOnly; SameSite=Lax", kNow));
  EXPECT_TRUE(j.apply("  SRV = n1 ;path=/", kNow));  // white space around name and value
  EXPECT_TRUE(j.apply("empty=", kNow));              // an empty value is a value
  EXPECT_EQ(j.header(), "sid=00ff; SRV=n1; empty=");
  // No '=' or an empty name: ignored.
  EXPECT_FALSE(j.apply("novalue", kNow));
  EXPECT_FALSE(j.apply("=v", kNow));
  EXPECT_FALSE(j.apply("", kNow));
  EXPECT_EQ(j.size(), 3u);
}

TEST(CookieJarTest, TheSameNameDomainAndPathReplacesAndKeepsItsPlace) {
  CookieJar j = jar();
  j.apply("a=1", kNow);
  j.apply("b=2", kNow);
  const uint64_t v = j.version();
  EXPECT_TRUE(j.apply("a=3", kNow));
  EXPECT_EQ(j.header(), "a=3; b=2");  // a keeps its creation time: still first
  EXPECT_GT(j.version(), v);
  // The same cookie again changes nothing the server sees.
  const uint64_t v2 = j.version();
  j.apply("a=3", kNow);
  EXPECT_EQ(j.version(), v2);
}

TEST(CookieJarTest, MaxAgeZeroOrAPastExpiresDeletes) {
  CookieJar j = jar();
  j.apply("a=1", kNow);
  j.apply("b=2", kNow);
  j.apply("c=3", kNow);
  EXPECT_TRUE(j.apply("a=; Max-Age=0", kNow));
  EXPECT_TRUE(j.apply("b=x; Max-Age=-5", kNow));
  EXPECT_TRUE(j.apply("c=; Expires=Thu, 01 Jan 1970 00:00:00 GMT", kNow));
  EXPECT_EQ(j.header(), "");
  EXPECT_EQ(j.size(), 0u);
  // A deletion of a cookie we do not have stores nothing.
  EXPECT_FALSE(j.apply("d=; Max-Age=0", kNow));
}

TEST(CookieJarTest, MaxAgeWinsOverExpiresAndCookiesExpire) {
  CookieJar j = jar();
  // Expires in the past, Max-Age 10 s: Max-Age wins (§5.3 step 3), whatever the order.
  j.apply("a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=10", kNow);
  j.apply("b=2; Max-Age=20; Expires=Thu, 01 Jan 1970 00:00:00 GMT", kNow);
  j.apply("c=3", kNow);  // a session cookie: never expires here
  EXPECT_EQ(j.header(), "a=1; b=2; c=3");
  EXPECT_EQ(j.next_expiry_ms(), kNow + 10'000);
  EXPECT_FALSE(j.expire(kNow + 9'999));
  EXPECT_TRUE(j.expire(kNow + 10'000));
  EXPECT_EQ(j.header(), "b=2; c=3");
  EXPECT_EQ(j.next_expiry_ms(), kNow + 20'000);
  EXPECT_TRUE(j.expire(kNow + 60'000));
  EXPECT_EQ(j.header(), "c=3");
  EXPECT_EQ(j.next_expiry_ms(), CookieJar::kNever);
}

TEST(CookieJarTest, MalformedMaxAgeAndExpiresAreIgnored) {
  CookieJar j = jar();
  j.apply("a=1; Max-Age=abc", kNow);
  j.apply("b=1; Max-Age=1.5", kNow);
  j.apply("c=1; Max-Age=-", kNow);
  j.apply("d=1; Expires=tomorrow", kNow);
  EXPECT_EQ(j.header(), "a=1; b=1; c=1; d=1");
  EXPECT_EQ(j.next_expiry_ms(), CookieJar::kNever);  // all session cookies
  // A huge Max-Age does not overflow into the past.
  j.apply("e=1; Max-Age=99999999999999999999999", kNow);
  EXPECT_GT(j.next_expiry_ms(), kNow);
  EXPECT_NE(j.header().find("e=1"), std::string::npos);
}

TEST(CookieJarTest, CookieDatesInEveryShapeServersSend) {
  const int64_t expected = 784111777000;                        // 1994-11-06 08:49:37 UTC
  EXPECT_EQ(date("Sun, 06 Nov 1994 08:49:37 GMT"), expected);   // IMF-fixdate
  EXPECT_EQ(date("Sunday, 06-Nov-94 08:49:37 GMT"), expected);  // RFC 850, 2-digit year
  EXPECT_EQ(date("Sun Nov  6 08:49:37 1994"), expected);        // asctime
  EXPECT_EQ(date("6 november 1994 8:49:37"), expected);         // lenient, as §5.1.1 allows
  EXPECT_EQ(date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_EQ(date("Wed, 01 Jan 2070 00:00:00 GMT"), 3155760000000);
  int64_t ms;
  EXPECT_FALSE(CookieJar::parse_cookie_date("Mon, 30 Feb 2026 10:00:00 GMT", &ms));  // no such day
  EXPECT_FALSE(CookieJar::parse_cookie_date("Mon, 01 Jan 2026 24:00:00 GMT", &ms));
  EXPECT_FALSE(CookieJar::parse_cookie_date("Mon, 01 Jan 1600 10:00:00 GMT", &ms));
  EXPECT_FALSE(CookieJar::parse_cookie_date("Mon, 01 Foo 2026 10:00:00 GMT", &ms));
  EXPECT_FALSE(CookieJar::parse_cookie_date("01 Jan 2026", &ms));  // no time
  EXPECT_FALSE(CookieJar::parse_cookie_date("", &ms));
}

TEST(CookieJarTest, PathDecidesWhatIsSent) {
  CookieJar j = jar("/session");
  j.apply("root=1; Path=/", kNow);
  j.apply("exact=1; Path=/session", kNow);
  j.apply("deeper=1; Path=/session/x", kNow);  // not a prefix of the request path
  j.apply("other=1; Path=/sess", kNow);        // a prefix, but not at a '/' boundary
  j.apply("dflt=1", kNow);                     // default-path of /session is /
  j.apply("bad=1; Path=relative", kNow);       // not starting with '/': default-path
  // Longer paths first, then older first.
  EXPECT_EQ(j.header(), "exact=1; root=1; dflt=1; bad=1");
  EXPECT_EQ(j.size(), 6u);
  // One name, two paths: two cookies.
  j.apply("root=2; Path=/session", kNow);
  EXPECT_EQ(j.header(), "exact=1; root=2; root=1; dflt=1; bad=1");
}

TEST(CookieJarTest, DomainMustMatchTheHost) {
  CookieJar ip = jar();
  EXPECT_TRUE(ip.apply("a=1; Domain=127.0.0.1", kNow));
  EXPECT_FALSE(ip.apply("b=1; Domain=0.0.1", kNow));  // an IP address has no parent domain
  EXPECT_FALSE(ip.apply("c=1; Domain=example.com", kNow));
  EXPECT_EQ(ip.header(), "a=1");
  CookieJar named("app.example.com", "/");
  EXPECT_TRUE(named.apply("a=1; Domain=.Example.COM", kNow));  // leading dot, any case
  EXPECT_TRUE(named.apply("b=1; Domain=app.example.com", kNow));
  EXPECT_FALSE(named.apply("c=1; Domain=other.com", kNow));
  EXPECT_FALSE(named.apply("d=1; Domain=ample.com", kNow));  // a suffix, not a domain
  EXPECT_TRUE(named.apply("e=1; Domain=", kNow));            // empty: ignored, host-only
  EXPECT_EQ(named.header(), "a=1; b=1; e=1");
  // A domain cookie and a host-only one of the same name are two cookies.
  EXPECT_TRUE(named.apply("a=2", kNow));
  EXPECT_EQ(named.header(), "a=1; b=1; e=1; a=2");
}

TEST(CookieJarTest, SecureCookiesAreNotTakenOverPlainHttp) {
  CookieJar j = jar();
  EXPECT_FALSE(j.apply("s=1; Secure", kNow));
  EXPECT_FALSE(j.apply("t=1; secure; HttpOnly", kNow));
  EXPECT_EQ(j.size(), 0u);
}

TEST(CookieJarTest, TheJarIsBounded) {
  CookieJar j = jar();
  for (size_t i = 0; i < CookieJar::kMaxCookies + 10; ++i) {
    j.apply("c" + std::to_string(i) + "=v", kNow);
  }
  EXPECT_EQ(j.size(), CookieJar::kMaxCookies);
  EXPECT_EQ(j.header().find("c0="), std::string::npos);  // the oldest went first
  EXPECT_NE(j.header().find("c59=v"), std::string::npos);
  EXPECT_FALSE(j.apply("big=" + std::string(CookieJar::kMaxCookieBytes, 'x'), kNow));
  j.clear();
  EXPECT_EQ(j.header(), "");
}

}  // namespace
}  // namespace iomb::harness
