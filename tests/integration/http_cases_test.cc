// The HTTP cases of DESIGN §3.4-3.5, run against every server row over raw
// loopback sockets. Each asserts status, headers and exact bodies.
#include <signal.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "common/socket_ops.h"
#include "tests/integration/http_suite.h"
#include "tests/integration/http_test_client.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

std::string sid_of(const HttpResponse& r) { return http::testing::sid_from_set_cookie(r); }

nlohmann::json json_of(const std::optional<HttpResponse>& r) {
  if (!r) return nullptr;
  return nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
}

TEST_P(HttpServerTest, GetRootIsByteExact) {
  IOMB_HTTP_START(server);
  auto fd = connect_loopback(server->port());
  auto r = roundtrip(fd.get(), "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(without_date(r->raw),
            "HTTP/1.1 200 OK\r\nServer: iomb\r\nDate: *\r\nContent-Type: text/plain\r\n"
            "Content-Length: 13\r\n\r\nHello, World!");
}

TEST_P(HttpServerTest, EveryEndpoint) {
  IOMB_HTTP_START(server, {"--node-id", "n1"});
  auto fd = connect_loopback(server->port());
  auto root = roundtrip(fd.get(), get_request("/"));
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 200);
  EXPECT_EQ(root->body, "Hello, World!");

  std::string payload = random_bytes(100000, 7);
  auto echo = roundtrip(fd.get(), "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: " +
                                      std::to_string(payload.size()) + "\r\n\r\n" + payload);
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->status, 200);
  EXPECT_TRUE(echo->body == payload) << "echo body differs";

  auto health = roundtrip(fd.get(), get_request("/healthz"));
  ASSERT_TRUE(health);
  EXPECT_EQ(health->body, "ok");

  auto session = roundtrip(fd.get(), get_request("/session"));
  ASSERT_TRUE(session);
  EXPECT_EQ(session->status, 200);
  EXPECT_EQ(session->header("X-Node"), "n1");
  EXPECT_EQ(session->header("Content-Type"), "application/json");
  std::string sid = sid_of(*session);
  ASSERT_EQ(sid.size(), 32u) << session->raw;
  EXPECT_EQ(json_of(session),
            nlohmann::json({{"sid", sid}, {"visits", 1}, {"node", "n1"}, {"created_by", "n1"}}));

  auto stats = roundtrip(fd.get(), get_request("/stats"));
  ASSERT_TRUE(stats);
  auto j = json_of(stats);
  ASSERT_TRUE(j.is_object()) << stats->body;
  EXPECT_EQ(j["node"], "n1");
  EXPECT_GE(j["accepted"].get<int>(), 1);
  EXPECT_GE(j["requests"].get<int>(), 4);
  EXPECT_EQ(j["sessions"]["created"], 1);

  auto missing = roundtrip(fd.get(), get_request("/missing"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto wrong = roundtrip(fd.get(), "PUT / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->header("Allow"), "GET, HEAD");
  // 404 and 405 keep the connection.
  auto after = roundtrip(fd.get(), get_request("/"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);

  fd.reset();
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(stopped.value("requests", 0), 8);
}

// RFC 9110 §9.3.2: HEAD wherever GET works, no body (balancers' health checks send it). The
// GET pipelined behind each HEAD shows no body bytes were sent in between.
TEST_P(HttpServerTest, HeadIsAnsweredLikeGetWithoutBody) {
  IOMB_HTTP_START(server);
  for (std::string_view path : {"/", "/healthz", "/stats", "/session"}) {
    auto fd = connect_loopback(server->port());
    std::string req = "HEAD " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n\r\n" +
                      "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    ASSERT_EQ(send_all(fd.get(), req), req.size());
    std::string raw = recv_until_close(fd.get());
    ASSERT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << path << ": " << raw;
    const size_t end = raw.find("\r\n\r\n");
    ASSERT_NE(end, std::string::npos) << raw;
    const std::string head = raw.substr(0, end + 4);
    EXPECT_NE(head.find("Content-Length: "), std::string::npos) << head;
    EXPECT_EQ(head.find("Content-Length: 0\r\n"), std::string::npos) << head;
    const std::string rest = raw.substr(end + 4);
    EXPECT_EQ(rest.rfind("HTTP/1.1 200 OK\r\n", 0), 0u)
        << path << ": body bytes after HEAD: " << rest;
    EXPECT_EQ(rest.substr(rest.size() - 2), "ok") << rest;
  }
  auto fd = connect_loopback(server->port());
  const std::string echo = "HEAD /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(send_all(fd.get(), echo), echo.size());
  std::string raw = recv_until_close(fd.get());
  EXPECT_EQ(raw.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u) << raw;
  EXPECT_NE(raw.find("Allow: POST\r\n"), std::string::npos) << raw;
}

TEST_P(HttpServerTest, PipelinedRequestsInOneWrite) {
  IOMB_HTTP_START(server);
  auto fd = connect_loopback(server->port());
  // /session among them: nio's workers mode hands it to the pool and answers the others on
  // the loop, so the responses must still come back in request order.
  std::string batch;
  for (int i = 0; i < 20; ++i) {
    batch += get_request("/");
    batch += "POST /echo HTTP/1.1\r\nContent-Length: " + std::to_string(std::to_string(i).size()) +
             "\r\n\r\n" + std::to_string(i);
    batch += get_request(i % 2 ? "/healthz" : "/nowhere");
    batch += get_request("/session");
  }
  ASSERT_EQ(send_all(fd.get(), batch), batch.size());
  std::string buffer;
  auto r = read_responses(fd.get(), 80, &buffer);
  ASSERT_EQ(r.size(), 80u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(r[4 * i].body, "Hello, World!");
    EXPECT_EQ(r[4 * i + 1].body, std::to_string(i));
    EXPECT_EQ(r[4 * i + 2].status, i % 2 ? 200 : 404);
    EXPECT_EQ(r[4 * i + 3].status, 200);
    EXPECT_NE(r[4 * i + 3].body.find("\"visits\":1"), std::string::npos) << r[4 * i + 3].body;
  }
  EXPECT_EQ(buffer, "");
}

TEST_P(HttpServerTest, RequestSplitOneByteAtATime) {
  IOMB_HTTP_START(server);
  auto fd = connect_loopback(server->port());
  std::string req = "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello";
  for (char c : req) {
    ASSERT_EQ(send_all(fd.get(), std::string_view(&c, 1)), 1u);
    std::this_thread::sleep_for(1ms);  // so that the bytes arrive in separate segments
  }
  std::string buffer;
  auto r = read_response(fd.get(), &buffer);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  // And the connection still works.
  auto next = roundtrip(fd.get(), get_request("/"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "Hello, World!");
}

struct ErrorCase {
  std::string name;
  std::string request;
  int status;
};

TEST_P(HttpServerTest, ErrorStatusesThenClose) {
  IOMB_HTTP_START(server, {"--max-body", "1KiB"});
  const std::vector<ErrorCase> cases = {
      {"headers over 8 KiB", "GET / HTTP/1.1\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n",
       431},
      {"body over --max-body",
       "POST /echo HTTP/1.1\r\nContent-Length: 1025\r\n\r\n" + std::string(1025, 'b'), 413},
      {"chunked body",
       "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 501},
      {"malformed", "GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400},
      {"bad method", "G@T / HTTP/1.1\r\n\r\n", 400},
  };
  for (const ErrorCase& c : cases) {
    auto fd = connect_loopback(server->port());
    ASSERT_EQ(send_all(fd.get(), c.request), c.request.size()) << c.name;
    std::string buffer;
    auto r = read_response(fd.get(), &buffer);
    ASSERT_TRUE(r) << c.name;
    EXPECT_EQ(r->status, c.status) << c.name;
    EXPECT_EQ(r->header("Connection"), "close") << c.name;
    EXPECT_TRUE(wait_peer_closed(fd.get(), 5s)) << c.name << ": the server kept the connection";
  }
  // 404 and 405 do not close.
  for (std::string req : {get_request("/nope"), std::string("DELETE / HTTP/1.1\r\n\r\n")}) {
    auto fd = connect_loopback(server->port());
    auto r = roundtrip(fd.get(), req);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->status == 404 || r->status == 405) << r->status;
    EXPECT_FALSE(r->header("Connection").has_value());
    auto again = roundtrip(fd.get(), get_request("/healthz"));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->body, "ok");
  }
  // A body exactly at the limit is fine.
  auto fd = connect_loopback(server->port());
  auto ok = roundtrip(
      fd.get(), "POST /echo HTTP/1.1\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'c'));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body.size(), 1024u);
}

TEST_P(HttpServerTest, KeepAliveCloseAndHttp10) {
  IOMB_HTTP_START(server);
  {  // HTTP/1.1: many requests on one connection.
    auto fd = connect_loopback(server->port());
    for (int i = 0; i < 5; ++i) {
      auto r = roundtrip(fd.get(), get_request("/"));
      ASSERT_TRUE(r) << i;
      EXPECT_FALSE(r->header("Connection").has_value());
    }
  }
  {  // Connection: close is honoured, and what follows it is not answered.
    auto fd = connect_loopback(server->port());
    std::string two = get_request("/", {}, "Connection: close\r\n") + get_request("/healthz");
    ASSERT_EQ(send_all(fd.get(), two), two.size());
    std::string all = recv_until_close(fd.get(), 5s);
    auto r = http::testing::parse_responses(all);
    ASSERT_EQ(r.size(), 1u) << all;
    EXPECT_EQ(r[0].header("Connection"), "close");
  }
  {  // HTTP/1.0 closes by default.
    auto fd = connect_loopback(server->port());
    ASSERT_EQ(send_all(fd.get(), "GET / HTTP/1.0\r\n\r\n"), 18u);
    auto r = http::testing::parse_responses(recv_until_close(fd.get(), 5s));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].body, "Hello, World!");
    EXPECT_EQ(r[0].header("Connection"), "close");
  }
  {  // HTTP/1.0 with keep-alive stays open.
    auto fd = connect_loopback(server->port());
    for (int i = 0; i < 3; ++i) {
      auto r = roundtrip(fd.get(), "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      ASSERT_TRUE(r) << i;
      EXPECT_EQ(r->header("Connection"), "keep-alive");
    }
  }
}

TEST_P(HttpServerTest, SessionCreationAndContinuation) {
  IOMB_HTTP_START(server);
  auto fd = connect_loopback(server->port());
  auto first = roundtrip(fd.get(), get_request("/session"));
  ASSERT_TRUE(first);
  std::string sid = sid_of(*first);
  ASSERT_EQ(sid.size(), 32u);
  // Continuation works from any connection.
  for (int visit = 2; visit <= 5; ++visit) {
    auto other = connect_loopback(server->port());
    auto r = roundtrip(other.get(), get_request("/session", "lang=en; sid=" + sid));
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->header("Set-Cookie").has_value());
    auto j = json_of(r);
    EXPECT_EQ(j["sid"], sid);
    EXPECT_EQ(j["visits"], visit);
  }
  // A forged sid is a new session.
  auto forged =
      roundtrip(fd.get(), get_request("/session", "sid=0123456789abcdef0123456789abcdef"));
  ASSERT_TRUE(forged);
  EXPECT_EQ(json_of(forged)["visits"], 1);
  EXPECT_NE(sid_of(*forged), sid);
}

TEST_P(HttpServerTest, SessionExpiry) {
  IOMB_HTTP_START(server, {"--session-ttl-s", "1"});
  auto fd = connect_loopback(server->port());
  auto first = roundtrip(fd.get(), get_request("/session"));
  ASSERT_TRUE(first);
  std::string sid = sid_of(*first);
  auto second = roundtrip(fd.get(), get_request("/session", "sid=" + sid));
  ASSERT_TRUE(second);
  EXPECT_EQ(json_of(second)["visits"], 2);
  std::this_thread::sleep_for(1500ms);  // past the 1 s TTL
  auto expired = roundtrip(fd.get(), get_request("/session", "sid=" + sid));
  ASSERT_TRUE(expired);
  EXPECT_EQ(json_of(expired)["visits"], 1);
  EXPECT_NE(sid_of(*expired), sid);
  auto stats = json_of(roundtrip(fd.get(), get_request("/stats")));
  EXPECT_EQ(stats["sessions"]["expired"], 1);
}

TEST_P(HttpServerTest, SessionEviction) {
  IOMB_HTTP_START(server, {"--max-sessions", "2"});
  auto fd = connect_loopback(server->port());
  auto create = [&] { return sid_of(*roundtrip(fd.get(), get_request("/session"))); };
  auto visits = [&](const std::string& sid) {
    return json_of(roundtrip(fd.get(), get_request("/session", "sid=" + sid)))["visits"];
  };
  std::string a = create(), b = create();
  ASSERT_EQ(a.size(), 32u);
  ASSERT_EQ(b.size(), 32u);
  EXPECT_EQ(visits(a), 2);   // b is now the least recently used
  std::string c = create();  // evicts b
  EXPECT_EQ(visits(a), 3);
  EXPECT_EQ(visits(c), 2);
  EXPECT_EQ(visits(b), 1);  // lost: started again
  auto stats = json_of(roundtrip(fd.get(), get_request("/stats")));
  EXPECT_EQ(stats["sessions"]["evicted"], 2);
  EXPECT_EQ(stats["sessions"]["live"], 2);
}

// A request that stops halfway and goes silent is closed by the idle timeout while others are
// served. (A slowloris that keeps trickling is never idle: TricklingSlowlorisHitsTheRequestDeadline
// in http_close_cases_test.cc shows the request deadline closing it.)
TEST_P(HttpServerTest, StalledPartialRequestIsClosedByTheIdleTimeout) {
  IOMB_HTTP_START(server, {"--idle-timeout-ms", "500"});
  auto slow = connect_loopback(server->port());
  const std::string partial = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow:";
  ASSERT_EQ(send_all(slow.get(), partial), partial.size());
  // Others are served meanwhile.
  auto other = connect_loopback(server->port());
  for (int i = 0; i < 3; ++i) {
    auto r = roundtrip(other.get(), get_request("/"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    std::this_thread::sleep_for(100ms);  // keep `other` busy so it is never idle for 500 ms
  }
  EXPECT_TRUE(wait_peer_closed(slow.get(), 10s)) << "the stalled request was never closed";
  auto r = roundtrip(other.get(), get_request("/healthz"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok");
  slow.reset();
  other.reset();
  auto stopped = server->stop(SIGTERM);
  EXPECT_GE(stopped.value("closed_idle", 0), 1);
}

TEST_P(HttpServerTest, RandomGarbageIs400ThenClose) {
  IOMB_HTTP_START(server);
  for (uint64_t seed : {1, 2, 3}) {
    auto fd = connect_loopback(server->port());
    std::string garbage = random_bytes(1000, seed);
    send_all(fd.get(), garbage);  // the server may close before taking all of it
    std::string buffer;
    auto r = read_response(fd.get(), &buffer);
    ASSERT_TRUE(r) << "seed " << seed;
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_TRUE(wait_peer_closed(fd.get(), 5s)) << "seed " << seed;
  }
  // The server is still fine.
  auto fd = connect_loopback(server->port());
  auto ok = roundtrip(fd.get(), get_request("/"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

}  // namespace
}  // namespace iomb::testing
