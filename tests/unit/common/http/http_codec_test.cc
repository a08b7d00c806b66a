// HttpCodec + HttpService + RequestParser: every status row of DESIGN §3.4, requests split at
// every byte, pipelining, keep-alive / close / HTTP/1.0, limits, garbage, the deferred (worker)
// path and an asynchronous session store.
#include "common/http/http_codec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "common/http/memory_session_store.h"
#include "tests/unit/common/http/response_reader.h"

namespace iomb::http {
namespace {

using testing::parse_responses;
using testing::ParsedResponse;
using testing::without_date;

class CodecTest : public ::testing::Test {
 protected:
  void make_service(uint64_t max_body = 1 << 20, uint64_t max_sessions = 100) {
    MemorySessionStoreOptions so;
    so.ttl_s = 10;
    so.max_sessions = max_sessions;
    so.node_id = "node-a";
    so.now_ms = [this] { return now_ms_; };
    auto store = std::make_unique<MemorySessionStore>(so);
    store_ = store.get();
    HttpServiceOptions ho;
    ho.node_id = "node-a";
    ho.max_body = max_body;
    service_ = std::make_unique<HttpService>(ho, std::move(store), [] {
      CounterSnapshot s;
      s.values[static_cast<int>(Counter::kAccepted)] = 7;
      return s;
    });
  }
  void SetUp() override { make_service(); }

  // Feeds `input` in one piece and drains the output.
  static std::string feed(HttpCodec& codec, std::string_view input) {
    codec.on_input(input);
    std::string out(codec.output());
    codec.consume_output(out.size());
    return out;
  }
  std::vector<ParsedResponse> exchange(std::string_view input, bool* closed = nullptr) {
    HttpCodec codec(*service_);
    std::string rest;
    auto responses = parse_responses(feed(codec, input), &rest);
    EXPECT_EQ(rest, "") << "trailing bytes in the output";
    if (closed) *closed = codec.should_close();
    return responses;
  }
  // One request, one response.
  ParsedResponse one(std::string_view input, bool* closed = nullptr) {
    auto r = exchange(input, closed);
    EXPECT_EQ(r.size(), 1u) << input;
    return r.empty() ? ParsedResponse{} : r.front();
  }

  int64_t now_ms_ = 1'000'000;
  MemorySessionStore* store_ = nullptr;
  std::unique_ptr<HttpService> service_;
};

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
  EXPECT_EQ(one("PUT / HTTP/1.1\r\n\r\n").header("Allow"), "GET");
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

TEST_F(CodecTest, HeadGets405WithoutBodyBytes) {
  HttpCodec codec(*service_);
  std::string out = feed(codec, "HEAD / HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n");
  size_t split = out.find("HTTP/1.1 200");
  ASSERT_NE(split, std::string::npos) << out;
  std::string head = out.substr(0, split);
  EXPECT_EQ(head.substr(0, 31), "HTTP/1.1 405 Method Not Allowed");
  EXPECT_NE(head.find("Content-Length: 19\r\n"), std::string::npos);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");  // no body bytes follow
  EXPECT_EQ(parse_responses(out.substr(split)).at(0).body, "ok");
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

// --- sessions ---

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

// --- deferred (worker) path ---

TEST_F(CodecTest, DeferredDispatchAnswersOneRequestAtATime) {
  HttpCodec codec(*service_, HttpCodec::Dispatch::kDeferred);
  codec.on_input("GET / HTTP/1.1\r\n\r\nGET /session HTTP/1.1\r\n\r\nGET /heal");
  EXPECT_EQ(codec.pending_output(), 0u);
  int handled = 0;
  while (codec.take_ready_request()) {
    EXPECT_FALSE(codec.take_ready_request());  // claimed once
    EXPECT_TRUE(codec.busy());
    codec.on_input(handled == 0 ? "thz HTTP/1.1\r\n\r\n" : "");  // stashed meanwhile
    codec.handle_request();                                      // a worker would run this
    codec.finish_request();
    ++handled;
  }
  EXPECT_EQ(handled, 3);
  auto r = parse_responses(codec.output());
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].body, "Hello, World!");
  EXPECT_EQ(nlohmann::json::parse(r[1].body)["visits"], 1);
  EXPECT_EQ(r[2].body, "ok");
  EXPECT_FALSE(codec.busy());
}

TEST_F(CodecTest, DeferredStashIsBounded) {
  HttpCodec codec(*service_, HttpCodec::Dispatch::kDeferred);
  codec.on_input("GET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(codec.take_ready_request());
  std::string more;
  while (more.size() <= HttpCodec::kMaxStashBytes) more += "GET / HTTP/1.1\r\n\r\n";
  codec.on_input(more);
  EXPECT_FALSE(codec.want_read());
  codec.handle_request();
  codec.finish_request();
  // The next stashed request is ready; the stash shrinks as they are answered.
  int n = 0;
  while (codec.take_ready_request() && n < 100000) {
    codec.handle_request();
    codec.finish_request();
    codec.consume_output(codec.pending_output());
    ++n;
  }
  EXPECT_EQ(static_cast<size_t>(n), more.size() / 18);
  EXPECT_TRUE(codec.want_read());
}

// --- asynchronous session store ---

// Completes visits only when the test says so, like a Redis round trip.
class AsyncStore final : public SessionStore {
 public:
  void visit(std::string_view sid, VisitCallback& done) override {
    pending_.push_back({std::string(sid), &done});
  }
  SessionStoreStats stats() const override { return {}; }
  void complete_one() {
    auto [sid, done] = pending_.front();
    pending_.erase(pending_.begin());
    VisitResult r;
    r.sid = SessionId{1, 2};
    r.visits = ++visits_;
    r.created = sid.empty();
    r.created_by = "remote";
    done->on_visit(r);
  }
  std::vector<std::pair<std::string, VisitCallback*>> pending_;
  uint64_t visits_ = 0;
};

class CountingListener final : public HttpCodec::Listener {
 public:
  void on_codec_output(HttpCodec&) override { ++calls; }
  int calls = 0;
};

// A codec over an HttpService whose store is an AsyncStore.
struct AsyncSetup {
  explicit AsyncSetup(HttpCodec::Dispatch dispatch)
      : async(new AsyncStore),
        service(HttpServiceOptions{.node_id = "me"}, std::unique_ptr<SessionStore>(async), nullptr),
        codec(service, dispatch, &listener) {}
  AsyncStore* async;  // owned by service
  HttpService service;
  CountingListener listener;
  HttpCodec codec;
};

TEST_F(CodecTest, AsyncStoreKeepsResponsesInOrder) {
  AsyncSetup setup(HttpCodec::Dispatch::kInline);
  AsyncStore* async = setup.async;
  HttpCodec& codec = setup.codec;
  const CountingListener& listener = setup.listener;
  codec.on_input(
      "GET / HTTP/1.1\r\n\r\nGET /session HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n"
      "GET /session HTTP/1.1\r\nCookie: sid=0000000000000001");
  // The first GET is answered; the rest waits behind the pending visit.
  EXPECT_EQ(parse_responses(codec.output()).size(), 1u);
  EXPECT_TRUE(codec.busy());
  ASSERT_EQ(async->pending_.size(), 1u);
  codec.on_input("0000000000000002\r\n\r\n");
  async->complete_one();
  EXPECT_EQ(listener.calls, 1);
  auto r = parse_responses(codec.output());
  ASSERT_EQ(r.size(), 3u);  // /, /session, /healthz; the second /session is pending
  auto j = nlohmann::json::parse(r[1].body);
  EXPECT_EQ(j["visits"], 1);
  EXPECT_EQ(j["created_by"], "remote");
  EXPECT_EQ(j["node"], "me");
  EXPECT_TRUE(r[1].header("Set-Cookie").has_value());
  EXPECT_EQ(r[2].body, "ok");
  ASSERT_EQ(async->pending_.size(), 1u);
  EXPECT_EQ(async->pending_[0].first, "00000000000000010000000000000002");
  async->complete_one();
  r = parse_responses(codec.output());
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(nlohmann::json::parse(r[3].body)["visits"], 2);
  EXPECT_FALSE(r[3].header("Set-Cookie").has_value());
  EXPECT_FALSE(codec.busy());
  EXPECT_EQ(codec.take_responses(), 4u);
}

TEST_F(CodecTest, AsyncStoreWithDeferredDispatch) {
  AsyncSetup setup(HttpCodec::Dispatch::kDeferred);
  AsyncStore* async = setup.async;
  HttpCodec& codec = setup.codec;
  const CountingListener& listener = setup.listener;
  codec.on_input("GET /session HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(codec.take_ready_request());
  codec.handle_request();
  codec.finish_request();  // the visit is still pending
  EXPECT_EQ(codec.pending_output(), 0u);
  EXPECT_FALSE(codec.take_ready_request());
  async->complete_one();
  EXPECT_EQ(listener.calls, 1);
  ASSERT_TRUE(codec.take_ready_request());
  codec.handle_request();
  codec.finish_request();
  auto r = parse_responses(codec.output());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].body, "Hello, World!");
}

}  // namespace
}  // namespace iomb::http

namespace iomb::http {
namespace {

int64_t thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1'000'000LL + ts.tv_nsec / 1000;
}

// --work-us burns at least that much CPU on the handling thread; --block-us sleeps at least
// that long. Both are lower bounds the implementation guarantees, not timing thresholds.
TEST(HttpServiceWork, WorkAndBlockPerRequest) {
  HttpServiceOptions o;
  o.node_id = "w";
  o.work_us = 3000;
  HttpService busy(o, std::make_unique<MemorySessionStore>(MemorySessionStoreOptions{}), nullptr);
  HttpCodec codec(busy);
  int64_t cpu0 = thread_cpu_us();
  codec.on_input("GET / HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_GE(thread_cpu_us() - cpu0, 6000);
  EXPECT_EQ(codec.take_responses(), 2u);

  o.work_us = 0;
  o.block_us = 20000;
  HttpService blocking(o, std::make_unique<MemorySessionStore>(MemorySessionStoreOptions{}),
                       nullptr);
  HttpCodec codec2(blocking);
  auto t0 = std::chrono::steady_clock::now();
  cpu0 = thread_cpu_us();
  codec2.on_input("GET / HTTP/1.1\r\n\r\n");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::microseconds(20000));
  EXPECT_EQ(codec2.take_responses(), 1u);
  // Errors and 404s do no work.
  o.work_us = 1'000'000;
  o.block_us = 0;
  HttpService slow(o, std::make_unique<MemorySessionStore>(MemorySessionStoreOptions{}), nullptr);
  HttpCodec codec3(slow);
  cpu0 = thread_cpu_us();
  codec3.on_input("GET /nope HTTP/1.1\r\n\r\n");
  EXPECT_LT(thread_cpu_us() - cpu0, 1'000'000);
}

}  // namespace
}  // namespace iomb::http
