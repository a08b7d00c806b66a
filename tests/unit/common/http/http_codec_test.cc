// HttpCodec + HttpService + RequestParser: every status row of DESIGN §3.4, requests split at
// every byte, pipelining, keep-alive / close / HTTP/1.0, limits, garbage and the output buffer.
// Sessions, the deferred path and the asynchronous store have their own files.
#include "common/http/http_codec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "tests/unit/common/http/codec_test_fixture.h"

namespace iomb::http {
namespace {

using testing::CodecTest;
using testing::parse_responses;
using testing::ParsedResponse;
using testing::without_date;

TEST_F(CodecTest, GetRootIsTheTechEmpowerPlaintextResponse) {
  auto r = one("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(without_date(r.raw),
            "HTTP/1.1 200 OK\r\nServer: iomb\r\nDate: *\r\nContent-Type: text/plain\r\n"
            "Content-Length: 13\r\n\r\nHello, World!");
}

struct StatusRow {
  const char* request;
  int status;
  const char* body;  // nullptr: not checked
  bool closes;
};

TEST_F(CodecTest, EveryStatusRow) {
  const StatusRow rows[] = {
      {"GET / HTTP/1.1\r\n\r\n", 200, "Hello, World!", false},
      {"GET /?q=1 HTTP/1.1\r\n\r\n", 200, "Hello, World!", false},
      {"POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 200, "hello", false},
      {"POST /echo HTTP/1.1\r\n\r\n", 200, "", false},
      {"GET /healthz HTTP/1.1\r\n\r\n", 200, "ok", false},
      {"GET /session HTTP/1.1\r\n\r\n", 200, nullptr, false},
      {"GET /stats HTTP/1.1\r\n\r\n", 200, nullptr, false},
      {"GET /nope HTTP/1.1\r\n\r\n", 404, "not found\n", false},
      {"POST /nope HTTP/1.1\r\nContent-Length: 1\r\n\r\nx", 404, "not found\n", false},
      {"PUT / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab", 405, "method not allowed\n", false},
      {"DELETE /session HTTP/1.1\r\n\r\n", 405, nullptr, false},
      {"GET /echo HTTP/1.1\r\n\r\n", 405, nullptr, false},
      {"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405, nullptr, false},
      {"GET / HTTP/1.1\r\nX: y\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501,
       "not implemented\n", true},
      {"POST /echo HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413, "content too large\n", true},
      {"GARBAGE\r\n\r\n", 400, "bad request\n", true},
      {"GET / HTTP/2.0\r\n\r\n", 400, nullptr, true},
      {"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, nullptr, true},
      {"GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400, nullptr, true},
  };
  for (const StatusRow& row : rows) {
    bool closed = false;
    auto r = one(row.request, &closed);
    EXPECT_EQ(r.status, row.status) << row.request;
    if (row.body) {
      EXPECT_EQ(r.body, row.body) << row.request;
    }
    EXPECT_EQ(closed, row.closes) << row.request;
    EXPECT_EQ(r.header("Connection") == "close", row.closes) << row.request;
  }
}

TEST_F(CodecTest, MethodNotAllowedNamesTheAllowedMethod) {
  EXPECT_EQ(one("PUT / HTTP/1.1\r\n\r\n").header("Allow"), "GET, HEAD");
  EXPECT_EQ(one("GET /echo HTTP/1.1\r\n\r\n").header("Allow"), "POST");
}

TEST_F(CodecTest, HeadersOverEightKibAre431) {
  std::string big(9000, 'a');
  bool closed = false;
  auto r = one("GET / HTTP/1.1\r\nX-Big: " + big + "\r\n\r\n", &closed);
  EXPECT_EQ(r.status, 431);
  EXPECT_TRUE(closed);
  // Just under the limit is fine.
  std::string fits(kMaxHeaderBytes - 64, 'a');
  EXPECT_EQ(one("GET / HTTP/1.1\r\nX-Big: " + fits + "\r\n\r\n").status, 200);
  // A long target counts too.
  EXPECT_EQ(one("GET /" + big + " HTTP/1.1\r\n\r\n").status, 431);
}

TEST_F(CodecTest, BodyLimitIsMaxBody) {
  make_service(/*max_body=*/10);
  EXPECT_EQ(one("POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789").status, 200);
  bool closed = false;
  EXPECT_EQ(one("POST /echo HTTP/1.1\r\nContent-Length: 11\r\n\r\n0123456789a", &closed).status,
            413);
  EXPECT_TRUE(closed);
}

TEST_F(CodecTest, NothingAfterAnErrorIsAnswered) {
  bool closed = false;
  auto r = exchange("BAD\r\n\r\nGET / HTTP/1.1\r\n\r\n", &closed);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 400);
  EXPECT_TRUE(closed);
}

TEST_F(CodecTest, RandomGarbageIs400ThenClose) {
  for (uint32_t seed = 0; seed < 200; ++seed) {
    std::mt19937 rng(seed);
    std::string garbage(1000, '\0');
    for (char& c : garbage) c = static_cast<char>(rng());
    HttpCodec codec(*service_);
    std::string rest;
    auto r = parse_responses(feed(codec, garbage), &rest);
    ASSERT_EQ(r.size(), 1u) << "seed " << seed;
    EXPECT_EQ(r[0].status, 400) << "seed " << seed;
    EXPECT_EQ(rest, "");
    EXPECT_TRUE(codec.should_close());
    codec.on_input(garbage);  // ignored from now on
    EXPECT_EQ(codec.pending_output(), 0u);
  }
}

TEST_F(CodecTest, SplitAtEveryByteBoundary) {
  const std::string requests[] = {
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: t\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world",
      "GET /healthz?x=y HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
      "GET /nope HTTP/1.1\r\nCookie: a=b; sid=zz\r\n\r\n",
      "BROKEN / HTTP/1.1\r\n\r\n",
  };
  for (const std::string& req : requests) {
    auto whole = exchange(req);
    ASSERT_EQ(whole.size(), 1u);
    for (size_t cut = 1; cut < req.size(); ++cut) {
      HttpCodec codec(*service_);
      std::string out = feed(codec, std::string_view(req).substr(0, cut));
      out += feed(codec, std::string_view(req).substr(cut));
      auto split = parse_responses(out);
      ASSERT_EQ(split.size(), 1u) << req << " cut at " << cut;
      EXPECT_EQ(without_date(split[0].raw), without_date(whole[0].raw)) << "cut at " << cut;
    }
    // One byte at a time.
    HttpCodec codec(*service_);
    std::string out;
    for (char c : req) out += feed(codec, std::string_view(&c, 1));
    auto bytewise = parse_responses(out);
    ASSERT_EQ(bytewise.size(), 1u) << req;
    EXPECT_EQ(without_date(bytewise[0].raw), without_date(whole[0].raw));
  }
}

TEST_F(CodecTest, PipelinedRequestsAnsweredInOrder) {
  std::string input =
      "GET / HTTP/1.1\r\n\r\n"
      "POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
      "GET /healthz HTTP/1.1\r\n\r\n"
      "GET /missing HTTP/1.1\r\n\r\n"
      "POST /echo HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
      "GET / HTTP/1.1\r\n\r\n";
  HttpCodec codec(*service_);
  auto r = parse_responses(feed(codec, input));
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].body, "Hello, World!");
  EXPECT_EQ(r[1].body, "abc");
  EXPECT_EQ(r[2].body, "ok");
  EXPECT_EQ(r[3].status, 404);
  EXPECT_EQ(r[4].body, "");
  EXPECT_EQ(r[5].body, "Hello, World!");
  EXPECT_EQ(codec.take_responses(), 6u);
  EXPECT_FALSE(codec.should_close());
  // Sixteen pipelined GETs split at every byte boundary of the batch.
  std::string batch;
  for (int i = 0; i < 16; ++i) batch += "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  for (size_t cut = 0; cut <= batch.size(); cut += 7) {
    HttpCodec c2(*service_);
    std::string out = feed(c2, std::string_view(batch).substr(0, cut));
    out += feed(c2, std::string_view(batch).substr(cut));
    EXPECT_EQ(parse_responses(out).size(), 16u) << "cut at " << cut;
  }
}

TEST_F(CodecTest, ConnectionCloseEndsTheConnection) {
  bool closed = false;
  auto r = exchange("GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n", &closed);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].header("Connection"), "close");
  EXPECT_TRUE(closed);
}

TEST_F(CodecTest, Http10ClosesUnlessKeepAlive) {
  bool closed = false;
  auto r = one("GET / HTTP/1.0\r\n\r\n", &closed);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_TRUE(closed);

  auto ka = exchange(
      "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n", &closed);
  ASSERT_EQ(ka.size(), 2u);
  EXPECT_EQ(ka[0].header("Connection"), "keep-alive");
  EXPECT_EQ(ka[1].header("Connection"), "close");
  EXPECT_TRUE(closed);
}

TEST_F(CodecTest, Http11KeepsAliveByDefault) {
  bool closed = true;
  auto r = one("GET / HTTP/1.1\r\n\r\n", &closed);
  EXPECT_FALSE(r.header("Connection").has_value());
  EXPECT_FALSE(closed);
}

// Blank lines are no request, but bytes read with no complete request keep the connection
// under the request deadline (mid_request), and a request after them is answered.
TEST_F(CodecTest, BlankLinesCountAsARequestInProgress) {
  HttpCodec codec(*service_);
  EXPECT_FALSE(codec.mid_request());
  EXPECT_EQ(feed(codec, "\r\n\r\n"), "");
  EXPECT_TRUE(codec.mid_request());
  std::string out = feed(codec, "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(parse_responses(out).at(0).body, "ok");
  EXPECT_FALSE(codec.mid_request());
}

TEST_F(CodecTest, HeadIsAnsweredAsGetWithoutBodyBytes) {
  HttpCodec codec(*service_);
  std::string out = feed(codec, "HEAD / HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n");
  size_t split = out.find("HTTP/1.1 200", 1);
  ASSERT_NE(split, std::string::npos) << out;
  std::string head = out.substr(0, split);
  EXPECT_EQ(head.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_NE(head.find("Content-Length: 13\r\n"), std::string::npos) << head;  // "Hello, World!"
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");  // no body bytes follow
  EXPECT_EQ(parse_responses(out.substr(split)).at(0).body, "ok");
}

TEST_F(CodecTest, HeadOnStatsAndSessionCarriesNoBody) {
  HttpCodec codec(*service_);
  for (std::string_view path : {"/stats", "/session", "/healthz"}) {
    std::string out = feed(codec, "HEAD " + std::string(path) + " HTTP/1.1\r\n\r\n");
    ASSERT_EQ(out.rfind("HTTP/1.1 200 OK", 0), 0u) << path << ": " << out;
    EXPECT_EQ(out.find("\r\n\r\n"), out.size() - 4) << path << ": body bytes sent";
    EXPECT_EQ(out.find("Content-Length: 0\r\n"), std::string::npos) << path;
  }
}

TEST_F(CodecTest, HeadOnEchoIs405AllowingPost) {
  HttpCodec codec(*service_);
  std::string out = feed(codec, "HEAD /echo HTTP/1.1\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 405 Method Not Allowed", 0), 0u) << out;
  EXPECT_NE(out.find("Allow: POST\r\n"), std::string::npos);
  EXPECT_EQ(out.find("\r\n\r\n"), out.size() - 4);
}

TEST_F(CodecTest, ExpectContinueIsAnsweredBeforeTheBody) {
  HttpCodec codec(*service_);
  std::string first = feed(codec,
                           "POST /echo HTTP/1.1\r\nContent-Length: 5\r\n"
                           "Expect: 100-Continue\r\n\r\n");
  EXPECT_EQ(first, "HTTP/1.1 100 Continue\r\n\r\n");
  auto r = parse_responses(feed(codec, "hello"));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].body, "hello");
  // Not for a body that is refused, nor without a body.
  make_service(/*max_body=*/2);
  HttpCodec refused(*service_);
  std::string out =
      feed(refused, "POST /echo HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 413");
  HttpCodec empty(*service_);
  out = feed(empty, "POST /echo HTTP/1.1\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 200");
}

TEST_F(CodecTest, UpgradeRequestIsAnsweredThenClosed) {
  bool closed = false;
  auto r = one("GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", &closed);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(closed);
}

TEST_F(CodecTest, StatsIsJsonWithCountersAndSessions) {
  one("GET /session HTTP/1.1\r\n\r\n");
  auto r = one("GET /stats HTTP/1.1\r\n\r\n");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["accepted"], 7);
  EXPECT_EQ(j["node"], "node-a");
  EXPECT_EQ(j["sessions"]["created"], 1);
  EXPECT_EQ(j["sessions"]["live"], 1);
}

// --- output buffer ---

TEST_F(CodecTest, PartialSendsAndTakeOutput) {
  HttpCodec codec(*service_);
  codec.on_input("GET / HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n");
  std::string all(codec.output());
  codec.consume_output(10);
  EXPECT_EQ(codec.output(), std::string_view(all).substr(10));
  std::string taken;
  codec.take_output(taken);
  EXPECT_EQ(taken, all.substr(10));
  EXPECT_EQ(codec.pending_output(), 0u);
  codec.on_input("GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(parse_responses(codec.output()).size(), 1u);
}

}  // namespace
}  // namespace iomb::http
