// Tests for harness/http_client.h: request bytes (pipelined in one span, cookie carried),
// body verification per path, non-2xx as failed responses, 1xx interim responses skipped,
// Connection: close, and /session continuity (created, lost, stale, skipped; pipelined first
// requests without a cookie).
#include "harness/load/http_client.h"

#include <gtest/gtest.h>

#include <string>

namespace iomb::harness {
namespace {

std::string drain_output(HttpClient& s) {
  std::string sent;
  for (auto out = s.output(); !out.empty(); out = s.output()) {
    sent.append(out.data(), out.size());
    s.consume_output(out.size());
  }
  return sent;
}

std::string response(int status, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nServer: iomb\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra +
         "\r\n" + body;
}

std::string session_response(const std::string& sid, int visits, bool set_cookie) {
  std::string body = "{\"sid\":\"" + sid + "\",\"visits\":" + std::to_string(visits) +
                     ",\"node\":\"n\",\"created_by\":\"n\"}";
  return response(200, body, set_cookie ? "Set-Cookie: sid=" + sid + "; Path=/; HttpOnly\r\n" : "");
}

int64_t feed(HttpClient& s, const std::string& bytes) {
  return s.on_input(bytes.data(), bytes.size());
}

HttpTarget target(HttpPath path, int pipeline, uint64_t size = 64) {
  HttpTarget t;
  t.host_header = "127.0.0.1:8080";
  t.path = path;
  t.pipeline = pipeline;
  t.body_size = size;
  return t;
}

const std::string kGetRoot = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";

TEST(HttpClientTest, PipelinedRequestsGoOutInOneSpan) {
  HttpTarget t = target(HttpPath::kRoot, 16);
  HttpClient s(t, 1);
  for (int i = 0; i < 16; ++i) s.add_request();
  auto out = s.output();
  ASSERT_EQ(out.size(), 16 * kGetRoot.size());
  std::string expected;
  for (int i = 0; i < 16; ++i) expected += kGetRoot;
  EXPECT_EQ(std::string(out.data(), out.size()), expected);
  // A partial send continues mid-request.
  s.consume_output(5);
  EXPECT_EQ(s.output().size(), 16 * kGetRoot.size() - 5);
  drain_output(s);
  std::string replies;
  for (int i = 0; i < 16; ++i) replies += response(200, "Hello, World!");
  // Split anywhere (here inside the first response): completions add up to 16.
  const size_t one = replies.size() / 16;
  EXPECT_EQ(s.on_input(replies.data(), one - 3), 0);
  EXPECT_EQ(s.on_input(replies.data() + one - 3, one + 3), 2) << s.error();
  EXPECT_EQ(s.on_input(replies.data() + 2 * one, replies.size() - 2 * one), 14) << s.error();
}

TEST(HttpClientTest, WrongBodyNamesRequestIndexExpectedAndGot) {
  HttpTarget t = target(HttpPath::kRoot, 2);
  HttpClient s(t, 1);
  s.add_request();
  s.add_request();
  drain_output(s);
  std::string bad = response(200, "Hello, World!") + response(200, "Hello, Moon!!");
  EXPECT_EQ(feed(s, bad), -1);
  EXPECT_NE(s.error().find("request index 1"), std::string::npos) << s.error();
  EXPECT_NE(s.error().find("expected body 'Hello, World!'"), std::string::npos) << s.error();
  EXPECT_NE(s.error().find("got 'Hello, Moon!!'"), std::string::npos) << s.error();
}

TEST(HttpClientTest, HealthzBodyIsChecked) {
  HttpTarget t = target(HttpPath::kHealthz, 1);
  HttpClient s(t, 1);
  s.add_request();
  EXPECT_NE(drain_output(s).find("GET /healthz HTTP/1.1"), std::string::npos);
  EXPECT_EQ(feed(s, response(200, "ok")), 1) << s.error();
  s.add_request();
  drain_output(s);
  EXPECT_EQ(feed(s, response(200, "ko")), -1);
}

TEST(HttpClientTest, Non2xxEndsItsRequestAsAFailedResponseNotAFatalOne) {
  HttpTarget t = target(HttpPath::kRoot, 3);
  HttpClient s(t, 1);
  for (int i = 0; i < 3; ++i) s.add_request();
  drain_output(s);
  EXPECT_EQ(feed(s, response(503, "busy") + response(200, "Hello, World!") + response(404, "nope")),
            3)
      << s.error();
  EXPECT_TRUE(s.response_failed(0));
  EXPECT_FALSE(s.response_failed(1));
  EXPECT_TRUE(s.response_failed(2));
  EXPECT_EQ(s.counters()->non_2xx, 2u);
  // The flags describe the last call only.
  s.add_request();
  drain_output(s);
  EXPECT_EQ(feed(s, response(200, "Hello, World!")), 1) << s.error();
  EXPECT_FALSE(s.response_failed(0));
}

TEST(HttpClientTest, InterimResponsesDoNotTakeARequestsSlot) {
  HttpTarget t = target(HttpPath::kRoot, 2);
  HttpClient s(t, 1);
  s.add_request();
  s.add_request();
  drain_output(s);
  const std::string early = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n";
  const std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
  // Split inside the interim response: nothing completes until the final response ends.
  std::string bytes =
      cont + early + response(200, "Hello, World!") + cont + response(200, "Hello, World!");
  EXPECT_EQ(s.on_input(bytes.data(), 10), 0) << s.error();
  EXPECT_EQ(s.on_input(bytes.data() + 10, cont.size() + early.size()), 0) << s.error();
  size_t at = 10 + cont.size() + early.size();
  EXPECT_EQ(s.on_input(bytes.data() + at, bytes.size() - at), 2) << s.error();
  EXPECT_FALSE(s.response_failed(0));
  EXPECT_FALSE(s.response_failed(1));
  EXPECT_EQ(s.counters()->interim_1xx, 3u);
  EXPECT_EQ(s.counters()->non_2xx, 0u);
  // An interim response for no request is still a response for no request.
  EXPECT_EQ(feed(s, cont), -1);
  EXPECT_NE(s.error().find("no request"), std::string::npos) << s.error();
}

TEST(HttpClientTest, SwitchingProtocolsNobodyAskedForIsInvalid) {
  HttpTarget t = target(HttpPath::kRoot, 1);
  HttpClient s(t, 1);
  s.add_request();
  drain_output(s);
  EXPECT_EQ(feed(s,
                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: "
                 "Upgrade\r\n\r\n"),
            -1);
  EXPECT_NE(s.error().find("unexpected 101 Switching Protocols"), std::string::npos) << s.error();
}

TEST(HttpClientTest, OtherSuccessStatusOrMissingLengthIsInvalid) {
  HttpTarget t = target(HttpPath::kRoot, 1);
  HttpClient a(t, 1);
  a.add_request();
  drain_output(a);
  EXPECT_EQ(feed(a, response(204, "")), -1);
  EXPECT_NE(a.error().find("expected status 200, got 204"), std::string::npos) << a.error();
  HttpClient b(t, 1);
  b.add_request();
  drain_output(b);
  EXPECT_EQ(feed(b, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nHello"), -1);
  EXPECT_NE(b.error().find("Content-Length"), std::string::npos) << b.error();
}

TEST(HttpClientTest, EchoBodyIsSentAndComparedByteForByte) {
  HttpTarget t = target(HttpPath::kEcho, 2, 4096);
  HttpClient s(t, 99);
  s.add_request();
  s.add_request();
  std::string sent = drain_output(s);
  const std::string head =
      "POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: "
      "application/octet-stream\r\nContent-Length: 4096\r\n\r\n";
  ASSERT_EQ(sent.size(), 2 * (head.size() + 4096));
  ASSERT_EQ(sent.substr(0, head.size()), head);
  std::string body = sent.substr(head.size(), 4096);
  EXPECT_EQ(sent.substr(head.size() + 4096), head + body);  // the same request twice
  std::string reply = response(200, body);
  EXPECT_EQ(s.on_input(reply.data(), 1000), 0);
  EXPECT_EQ(s.on_input(reply.data() + 1000, reply.size() - 1000), 1) << s.error();
  std::string wrong = body;
  wrong[1234] = static_cast<char>(wrong[1234] ^ 0x01);
  EXPECT_EQ(feed(s, response(200, wrong)), -1);
  EXPECT_NE(s.error().find("body byte 1234"), std::string::npos) << s.error();
  EXPECT_NE(s.error().find("request index 1"), std::string::npos) << s.error();
  // A different connection sends a different payload.
  HttpClient other(t, 100);
  other.add_request();
  EXPECT_NE(drain_output(other).substr(head.size()), body);
  // A short echo is caught by its Content-Length.
  HttpClient s2(t, 99);
  s2.add_request();
  drain_output(s2);
  EXPECT_EQ(feed(s2, response(200, body.substr(0, 100))), -1);
  EXPECT_NE(s2.error().find("expected Content-Length 4096, got 100"), std::string::npos);
}

TEST(HttpClientTest, SessionContinuityLostStaleSkipped) {
  HttpTarget t = target(HttpPath::kSession, 1);
  HttpClient s(t, 1);
  s.add_request();
  std::string first = drain_output(s);
  EXPECT_EQ(first.find("Cookie:"), std::string::npos);
  ASSERT_EQ(feed(s, session_response("aaaa", 1, true)), 1) << s.error();
  EXPECT_EQ(s.cookie_header(), "sid=aaaa");
  s.add_request();
  EXPECT_NE(drain_output(s).find("\r\nCookie: sid=aaaa\r\n"), std::string::npos);
  ASSERT_EQ(feed(s, session_response("aaaa", 2, false)), 1) << s.error();
  s.add_request();
  drain_output(s);
  ASSERT_EQ(feed(s, session_response("aaaa", 2, false)), 1) << s.error();  // rolled back
  s.add_request();
  drain_output(s);
  ASSERT_EQ(feed(s, session_response("aaaa", 7, false)), 1) << s.error();  // jumped
  s.add_request();
  drain_output(s);
  ASSERT_EQ(feed(s, session_response("bbbb", 1, true)), 1) << s.error();  // lost
  const ProtocolCounters& c = *s.counters();
  EXPECT_EQ(c.sessions_created, 2u);
  EXPECT_EQ(c.sessions_stale, 1u);
  EXPECT_EQ(c.sessions_skipped, 1u);
  EXPECT_EQ(c.sessions_lost, 1u);
  s.add_request();
  EXPECT_NE(drain_output(s).find("\r\nCookie: sid=bbbb\r\n"), std::string::npos);
  ASSERT_EQ(feed(s, session_response("bbbb", 2, false)), 1) << s.error();
  EXPECT_EQ(c.sessions_lost, 1u);
  EXPECT_EQ(c.sessions_stale, 1u);
}

TEST(HttpClientTest, SessionSwitchWithoutSetCookieOrBadJsonIsInvalid) {
  HttpTarget t = target(HttpPath::kSession, 1);
  HttpClient s(t, 1);
  s.add_request();
  drain_output(s);
  ASSERT_EQ(feed(s, session_response("aaaa", 1, true)), 1) << s.error();
  s.add_request();
  drain_output(s);
  EXPECT_EQ(feed(s, session_response("cccc", 4, false)), -1);
  EXPECT_NE(s.error().find("got session 'cccc'"), std::string::npos) << s.error();
  HttpClient j(t, 1);
  j.add_request();
  drain_output(j);
  EXPECT_EQ(feed(j, response(200, "{\"visits\":1}", "Set-Cookie: sid=x\r\n")), -1);
  EXPECT_NE(j.error().find("session JSON"), std::string::npos) << j.error();
}

TEST(HttpClientTest, PipelinedRequestsBeforeTheCookieAreNotLostSessions) {
  HttpTarget t = target(HttpPath::kSession, 4);
  HttpClient s(t, 1);
  for (int i = 0; i < 4; ++i) s.add_request();
  drain_output(s);
  std::string replies = session_response("s1", 1, true) + session_response("s2", 1, true) +
                        session_response("s3", 1, true) + session_response("s4", 1, true);
  ASSERT_EQ(feed(s, replies), 4) << s.error();
  EXPECT_EQ(s.counters()->sessions_created, 4u);
  EXPECT_EQ(s.counters()->sessions_lost, 0u);
  EXPECT_EQ(s.cookie_header(), "sid=s1");  // the first one is kept
  for (int i = 0; i < 4; ++i) s.add_request();
  std::string sent = drain_output(s);
  size_t n = 0;
  for (size_t p = sent.find("Cookie: sid=s1"); p != std::string::npos;
       p = sent.find("Cookie: sid=s1", p + 1))
    ++n;
  EXPECT_EQ(n, 4u);
  replies = session_response("s1", 2, false) + session_response("s1", 3, false) +
            session_response("s1", 4, false) + session_response("s1", 5, false);
  ASSERT_EQ(feed(s, replies), 4) << s.error();
  EXPECT_EQ(s.counters()->sessions_stale + s.counters()->sessions_skipped, 0u);
}

TEST(HttpClientTest, ConnectionCloseStopsOutputAndReconnectKeepsTheCookie) {
  HttpTarget t = target(HttpPath::kSession, 2);
  HttpClient s(t, 1);
  s.add_request();
  drain_output(s);
  ASSERT_EQ(feed(s, session_response("aaaa", 1, true)), 1) << s.error();
  s.add_request();
  s.add_request();
  drain_output(s);
  std::string closing =
      response(200, "{\"sid\":\"aaaa\",\"visits\":2,\"node\":\"n\",\"created_by\":\"n\"}",
               "Connection: close\r\n");
  ASSERT_EQ(feed(s, closing), 1) << s.error();
  EXPECT_TRUE(s.peer_closing());
  s.add_request();
  EXPECT_TRUE(s.output().empty());
  s.reconnect(1);
  EXPECT_FALSE(s.peer_closing());
  EXPECT_EQ(s.counters()->server_closes, 1u);
  s.add_request();
  EXPECT_NE(drain_output(s).find("Cookie: sid=aaaa"), std::string::npos);
  ASSERT_EQ(feed(s, session_response("aaaa", 3, false)), 1) << s.error();
  EXPECT_EQ(s.counters()->sessions_lost, 0u);
  // Churn: a new client keeps nothing.
  s.reset(2);
  s.add_request();
  EXPECT_EQ(drain_output(s).find("Cookie:"), std::string::npos);
}

// A balancer's sticky cookie (HAProxy's `cookie SRV insert indirect nocache`) is kept beside
// the session's and sent back with it; a later deletion (Max-Age=0) drops it alone.
TEST(HttpClientTest, EveryCookieIsKeptAndSentBack) {
  HttpTarget t = target(HttpPath::kSession, 1);
  HttpClient s(t, 1);
  s.add_request();
  drain_output(s);
  std::string body = "{\"sid\":\"aaaa\",\"visits\":1,\"node\":\"n\",\"created_by\":\"n\"}";
  ASSERT_EQ(feed(s, response(200, body,
                             "Set-Cookie: sid=aaaa; Path=/; HttpOnly\r\n"
                             "Set-Cookie: SRV=n2; path=/\r\nCache-Control: private\r\n")),
            1)
      << s.error();
  EXPECT_EQ(s.cookie_header(), "sid=aaaa; SRV=n2");
  s.add_request();
  EXPECT_NE(drain_output(s).find("\r\nCookie: sid=aaaa; SRV=n2\r\n"), std::string::npos);
  body = "{\"sid\":\"aaaa\",\"visits\":2,\"node\":\"n\",\"created_by\":\"n\"}";
  ASSERT_EQ(feed(s, response(200, body, "Set-Cookie: SRV=; Max-Age=0; path=/\r\n")), 1)
      << s.error();
  EXPECT_EQ(s.cookie_header(), "sid=aaaa");
  EXPECT_EQ(s.counters()->sessions_created, 1u);
  EXPECT_EQ(s.counters()->sessions_lost, 0u);
  s.add_request();
  EXPECT_NE(drain_output(s).find("\r\nCookie: sid=aaaa\r\n"), std::string::npos);
}

// The cookie store's `sess` changes at every visit while `sid` stays: the jar follows it, and
// a response that sets `sess` but not `sid` continues the session (it is no new one).
TEST(HttpClientTest, AChangingStoreCookieContinuesTheSession) {
  HttpTarget t = target(HttpPath::kSession, 1);
  HttpClient s(t, 1);
  for (int v = 1; v <= 3; ++v) {
    s.add_request();
    std::string sent = drain_output(s);
    if (v > 1) {
      EXPECT_NE(sent.find("Cookie: sess=v" + std::to_string(v - 1) + "; sid=aaaa\r\n"),
                std::string::npos)
          << sent;
    }
    std::string body = "{\"sid\":\"aaaa\",\"visits\":" + std::to_string(v) +
                       ",\"node\":\"n\",\"created_by\":\"n\"}";
    std::string cookies = "Set-Cookie: sess=v" + std::to_string(v) + "; Path=/; HttpOnly\r\n";
    if (v == 1) cookies += "Set-Cookie: sid=aaaa; Path=/\r\n";
    ASSERT_EQ(feed(s, response(200, body, cookies)), 1) << s.error();
  }
  EXPECT_EQ(s.counters()->sessions_created, 1u);
  EXPECT_EQ(s.counters()->sessions_stale + s.counters()->sessions_skipped, 0u);
}

}  // namespace
}  // namespace iomb::harness
