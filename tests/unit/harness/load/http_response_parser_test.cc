// Tests for harness/http_response_parser.h: responses split at every byte, pipelined in one
// read, Set-Cookie across split header callbacks, Connection: close, malformed input.
#include "harness/load/http_response_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace iomb::harness {
namespace {

struct Seen {
  int status = 0;
  uint64_t content_length = 0;
  bool keep_alive = true;
  std::string cookie;  // every Set-Cookie value, joined by " | "
  std::string body;
};

std::string joined(std::span<const std::string_view> cookies) {
  std::string out;
  for (std::string_view c : cookies) out.append(out.empty() ? "" : " | ").append(c);
  return out;
}

class Recorder : public HttpResponseParser::Handler {
 public:
  bool on_response_head(const ResponseHead& h) override {
    current = Seen{h.status, h.content_length, h.keep_alive, joined(h.set_cookies), ""};
    return refuse_status == 0 || h.status != refuse_status;
  }
  bool on_response_body(const char* d, size_t n) override {
    current.body.append(d, n);
    return true;
  }
  bool on_response_end() override {
    done.push_back(current);
    return true;
  }
  int refuse_status = 0;
  Seen current;
  std::vector<Seen> done;
};

const std::string kHello =
    "HTTP/1.1 200 OK\r\nServer: iomb\r\nDate: Thu, 26 Nov 2026 10:00:00 GMT\r\n"
    "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
const std::string kSession =
    "HTTP/1.1 200 OK\r\nServer: iomb\r\nContent-Type: application/json\r\nContent-Length: 20\r\n"
    "X-Node: n1\r\nSet-Cookie: sid=00ff; Path=/; HttpOnly; SameSite=Lax\r\n"
    "set-cookie: other=1\r\n\r\n{\"sid\":\"00ff\",\"v\":1}";
const std::string kClose =
    "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found";

TEST(HttpResponseParserTest, PipelinedResponsesInOneRead) {
  Recorder r;
  HttpResponseParser p(r);
  std::string all = kHello + kSession + kHello + kClose;
  ASSERT_TRUE(p.feed(all.data(), all.size())) << p.error();
  ASSERT_EQ(r.done.size(), 4u);
  EXPECT_EQ(r.done[0].status, 200);
  EXPECT_EQ(r.done[0].content_length, 13u);
  EXPECT_EQ(r.done[0].body, "Hello, World!");
  EXPECT_TRUE(r.done[0].keep_alive);
  EXPECT_EQ(r.done[0].cookie, "");
  // Every Set-Cookie, whole, in order.
  EXPECT_EQ(r.done[1].cookie, "sid=00ff; Path=/; HttpOnly; SameSite=Lax | other=1");
  EXPECT_EQ(r.done[1].body, "{\"sid\":\"00ff\",\"v\":1}");
  EXPECT_EQ(r.done[2].cookie, "");  // nothing carried over from the previous response
  EXPECT_EQ(r.done[3].status, 404);
  EXPECT_FALSE(r.done[3].keep_alive);
  EXPECT_EQ(r.done[3].body, "not found");
  EXPECT_FALSE(p.mid_response());
}

TEST(HttpResponseParserTest, EverySplitPointGivesTheSameResponses) {
  std::string all = kSession + kHello + kClose;
  for (size_t cut = 1; cut < all.size(); ++cut) {
    Recorder r;
    HttpResponseParser p(r);
    ASSERT_TRUE(p.feed(all.data(), cut)) << cut << ": " << p.error();
    ASSERT_TRUE(p.feed(all.data() + cut, all.size() - cut)) << cut << ": " << p.error();
    ASSERT_EQ(r.done.size(), 3u) << cut;
    EXPECT_EQ(r.done[0].cookie, "sid=00ff; Path=/; HttpOnly; SameSite=Lax | other=1") << cut;
    EXPECT_EQ(r.done[0].body, "{\"sid\":\"00ff\",\"v\":1}") << cut;
    EXPECT_EQ(r.done[1].body, "Hello, World!") << cut;
    EXPECT_FALSE(r.done[2].keep_alive) << cut;
  }
}

TEST(HttpResponseParserTest, OneByteAtATime) {
  Recorder r;
  HttpResponseParser p(r);
  std::string all = kHello + kSession;
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_TRUE(p.feed(all.data() + i, 1)) << i << ": " << p.error();
    EXPECT_EQ(p.mid_response(), i + 1 != kHello.size() && i + 1 != all.size()) << i;
  }
  ASSERT_EQ(r.done.size(), 2u);
  EXPECT_EQ(r.done[0].body, "Hello, World!");
  EXPECT_EQ(r.done[1].cookie, "sid=00ff; Path=/; HttpOnly; SameSite=Lax | other=1");
}

TEST(HttpResponseParserTest, HeaderNamesThatOnlyLookLikeSetCookieAreIgnored) {
  Recorder r;
  HttpResponseParser p(r);
  std::string resp =
      "HTTP/1.1 200 OK\r\nSet-Cookies: a=1\r\nX-Set-Cookie: b=2\r\nSet-Cooki: c=3\r\n"
      "Content-Length: 0\r\n\r\n";
  ASSERT_TRUE(p.feed(resp.data(), resp.size())) << p.error();
  ASSERT_EQ(r.done.size(), 1u);
  EXPECT_EQ(r.done[0].cookie, "");
}

TEST(HttpResponseParserTest, NoContentLengthIsReported) {
  Recorder r;
  HttpResponseParser p(r);
  std::string resp = "HTTP/1.1 204 No Content\r\n\r\n";
  ASSERT_TRUE(p.feed(resp.data(), resp.size())) << p.error();
  ASSERT_EQ(r.done.size(), 1u);
  EXPECT_EQ(r.done[0].content_length, HttpResponseParser::kNoContentLength);
}

TEST(HttpResponseParserTest, GarbageIsAnErrorAndStaysOne) {
  Recorder r;
  HttpResponseParser p(r);
  std::string junk = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcXYZ garbage\r\n";
  EXPECT_FALSE(p.feed(junk.data(), junk.size()));
  EXPECT_NE(p.error().find("malformed response"), std::string::npos) << p.error();
  ASSERT_EQ(r.done.size(), 1u);  // the valid first response was still delivered
  EXPECT_FALSE(p.feed(kHello.data(), kHello.size()));
  p.reset();
  EXPECT_TRUE(p.feed(kHello.data(), kHello.size())) << p.error();
  EXPECT_EQ(r.done.size(), 2u);
}

TEST(HttpResponseParserTest, HandlerRefusalStopsWithoutParserError) {
  Recorder r;
  r.refuse_status = 404;
  HttpResponseParser p(r);
  std::string all = kHello + kClose + kHello;
  EXPECT_FALSE(p.feed(all.data(), all.size()));
  EXPECT_EQ(p.error(), "");
  EXPECT_EQ(r.done.size(), 1u);
}

TEST(HttpResponseParserTest, OversizedSetCookiesAreAnError) {
  Recorder r;
  HttpResponseParser p(r);
  // Two cookies of 9 KiB: each is fine alone, together past the response's bound.
  const std::string big(9 * 1024, 'a');
  std::string resp = "HTTP/1.1 200 OK\r\nSet-Cookie: a=" + big + "\r\nSet-Cookie: b=" + big +
                     "\r\nContent-Length: 0\r\n\r\n";
  EXPECT_FALSE(p.feed(resp.data(), resp.size()));
  EXPECT_NE(p.error().find("Set-Cookie"), std::string::npos) << p.error();
}

TEST(HttpResponseParserTest, SetCookiesPastTheCountAreIgnored) {
  Recorder r;
  HttpResponseParser p(r);
  std::string resp = "HTTP/1.1 200 OK\r\n";
  for (size_t i = 0; i < HttpResponseParser::kMaxSetCookies + 3; ++i) {
    resp += "Set-Cookie: c" + std::to_string(i) + "=v\r\n";
  }
  resp += "Content-Length: 0\r\n\r\n";
  ASSERT_TRUE(p.feed(resp.data(), resp.size())) << p.error();
  ASSERT_EQ(r.done.size(), 1u);
  EXPECT_EQ(std::count(r.done[0].cookie.begin(), r.done[0].cookie.end(), '|'),
            static_cast<long>(HttpResponseParser::kMaxSetCookies - 1));
  EXPECT_EQ(r.done[0].cookie.find("c16="), std::string::npos);
}

}  // namespace
}  // namespace iomb::harness
