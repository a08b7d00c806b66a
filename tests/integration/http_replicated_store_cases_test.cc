// --session-store replicated against every server row: two nodes of the row's model and mode
// replicating to each other over loopback. Sync: a visit answered by one node is on the other
// when the answer arrives. Async: the delta arrives soon after (the cases allow 3 s). A paused
// peer (SIGSTOP) costs one bounded wait (--store-timeout-ms), is marked down and counted, and
// is not waited for again; a killed one is not waited for at all. A node that starts late, or
// is restarted, pulls its peer's snapshot, and the peer's links reconnect to it. Sessions
// expire on every node. Garbage on a replication stream closes that stream only.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/http_suite.h"
#include "tests/integration/http_test_client.h"
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

// A loopback port that was free a moment ago (for a node whose peer must know it first).
uint16_t reserve_port() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return 0;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

std::string peer(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

std::vector<std::string> node_flags(const std::string& node, uint16_t peer_port,
                                    const std::string& mode, std::vector<std::string> extra = {}) {
  std::vector<std::string> f{"--session-store", "replicated", "--peers",   peer(peer_port),
                             "--replication",   mode,         "--node-id", node};
  f.insert(f.end(), extra.begin(), extra.end());
  return f;
}

nlohmann::json sessions_stats(uint16_t port) {
  auto fd = connect_loopback(port);
  return json_of(roundtrip(fd.get(), get_request("/stats")))["sessions"];
}

// Waits (bounded) until `port`'s sessions counter `name` reaches `at_least`.
bool wait_counter(uint16_t port, const char* name, uint64_t at_least,
                  std::chrono::milliseconds within = 3000ms) {
  const auto until = Clock::now() + within;
  while (Clock::now() < until) {
    auto s = sessions_stats(port);
    if (s.is_object() && s.value(name, uint64_t{0}) >= at_least) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

// One visit of `sid` (empty: a new session) on `port`.
std::optional<HttpResponse> visit(uint16_t port, const std::string& sid) {
  auto fd = connect_loopback(port);
  return roundtrip(fd.get(), get_request("/session", sid.empty() ? "" : "sid=" + sid));
}

// Node A on an ephemeral port and node B on a reserved one, each the other's peer.
#define IOMB_REPLICATED_PAIR(a, b, mode, ...)                                         \
  const uint16_t b##_port = reserve_port();                                           \
  ASSERT_NE(b##_port, 0);                                                             \
  IOMB_HTTP_START(a, node_flags("a", b##_port, mode, __VA_ARGS__));                   \
  std::vector<std::string> b##_flags = node_flags("b", a->port(), mode, __VA_ARGS__); \
  b##_flags.insert(b##_flags.end(), {"--port", std::to_string(b##_port)});            \
  IOMB_HTTP_START(b, b##_flags)

// Every link of both nodes is up: a node whose peer was not listening yet retries after a
// backoff (up to a second), dropping (counting) the deltas meanwhile. Up means: a run of
// visits on each node (on whichever loops they land) drops none.
bool links_up(uint16_t a, uint16_t b) {
  const auto until = Clock::now() + 5s;
  while (Clock::now() < until) {
    const auto da = sessions_stats(a)["deltas_dropped"], db = sessions_stats(b)["deltas_dropped"];
    for (int i = 0; i < 12; ++i) {
      visit(a, "");
      visit(b, "");
    }
    if (sessions_stats(a)["deltas_dropped"] == da && sessions_stats(b)["deltas_dropped"] == db) {
      return true;
    }
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// A node paused while its sync visits wait for a (paused) peer, whose clients reset meanwhile:
// on resume the store's timeouts answer those visits into reset sockets. nio closed the
// connection from inside the answer and then scheduled its deletion a second time (a SIGSEGV
// on every such resume in the cluster lab); every model must stay up and serve.
TEST_P(HttpServerTest, ReplicatedSyncNodeResumingToResetClientsStaysUp) {
  IOMB_REPLICATED_PAIR(a, b, "sync", {"--store-timeout-ms", "300"});
  ASSERT_TRUE(links_up(a->port(), b->port()));
  ASSERT_TRUE(b->pause());  // A's visits now wait for B's ack, up to 300 ms
  std::vector<UniqueFd> clients;
  const std::string request = get_request("/session");
  for (int i = 0; i < 32; ++i) {
    clients.push_back(connect_loopback(a->port()));
    ASSERT_EQ(::send(clients.back().get(), request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
  }
  std::this_thread::sleep_for(50ms);  // A has read them: each visit waits for B
  ASSERT_TRUE(a->pause());
  for (UniqueFd& fd : clients) {
    linger reset{1, 0};  // close with RST
    ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    fd.reset();
  }
  std::this_thread::sleep_for(500ms);  // past the store timeout on A's clock
  a->resume();  // the timeouts fire and answer into the reset sockets
  std::this_thread::sleep_for(300ms);
  b->resume();
  auto r = visit(a->port(), "");
  ASSERT_TRUE(r) << "node a is gone: " << a->stderr_text();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(a->running());
}

TEST_P(HttpServerTest, ReplicatedSyncVisitIsOnThePeerWhenAnswered) {
  IOMB_REPLICATED_PAIR(a, b, "sync", {"--session-bytes", "100"});
  ASSERT_TRUE(links_up(a->port(), b->port()));
  const auto dropped = sessions_stats(a->port())["deltas_dropped"];
  auto first = visit(a->port(), "");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  const std::string sid = http::testing::sid_from_set_cookie(*first);
  ASSERT_EQ(sid.size(), 32u);
  // Alternating nodes with no pause: sync means each answer waited for the peer's ack, so
  // the next node already holds the count (no visit lost, none counted twice).
  for (int v = 2; v <= 9; ++v) {
    auto r = visit(v % 2 == 0 ? b->port() : a->port(), sid);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_FALSE(r->header("Set-Cookie").has_value()) << v;
    EXPECT_EQ(json_of(r)["visits"], v);
    EXPECT_EQ(json_of(r)["created_by"], "a");
    EXPECT_EQ(json_of(r)["node"], v % 2 == 0 ? "b" : "a");
  }
  auto sa = sessions_stats(a->port());
  EXPECT_EQ(sa["store"], "replicated");
  EXPECT_EQ(sa["ack_timeouts"], 0);
  EXPECT_EQ(sa["peers_down"], 0);
  EXPECT_EQ(sa["deltas_dropped"], dropped);
  EXPECT_GE(sa["deltas_out"], 5);
  EXPECT_GE(sa["deltas_in"], 4);
  EXPECT_GT(sa["bytes_out"], 5 * 100);  // the payload travels with every delta
  auto stopped = a->stop(SIGTERM);
  EXPECT_EQ(stopped["sessions"]["store"], "replicated") << stopped.dump();
  EXPECT_GE(stopped["sessions"]["deltas_out"], 5) << stopped.dump();
}

TEST_P(HttpServerTest, ReplicatedAsyncDeltaReachesThePeer) {
  IOMB_REPLICATED_PAIR(a, b, "async", {});
  ASSERT_TRUE(links_up(a->port(), b->port()));
  auto first = visit(a->port(), "");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  const std::string sid = http::testing::sid_from_set_cookie(*first);
  // Every delta A sent so far (the warm-up's too) has arrived.
  const uint64_t sent = sessions_stats(a->port())["deltas_out"].get<uint64_t>();
  ASSERT_TRUE(wait_counter(b->port(), "deltas_in", sent));
  auto r = visit(b->port(), sid);
  ASSERT_TRUE(r);
  EXPECT_EQ(json_of(r)["visits"], 2);
  EXPECT_EQ(json_of(r)["created_by"], "a");
}

TEST_P(HttpServerTest, ReplicatedSyncPausedPeerCostsOneBoundedWaitThenIsMarkedDown) {
  IOMB_REPLICATED_PAIR(a, b, "sync", {"--store-timeout-ms", "100"});
  ASSERT_TRUE(links_up(a->port(), b->port()));
  ASSERT_TRUE(b->pause());
  // Every loop of A has its own link to B: each pays the bound once (at most 4 loops here).
  int slow = 0;
  for (int i = 0; i < 8; ++i) {
    const auto t0 = Clock::now();
    auto r = visit(a->port(), "");
    const int64_t took = ms_since(t0);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);  // served: the peer is marked down, not the visit refused
    EXPECT_LT(took, 1000) << "a visit waited past the bound for a paused peer";
    if (took >= 80) ++slow;
  }
  EXPECT_GE(slow, 1);
  auto s = sessions_stats(a->port());
  EXPECT_GE(s["ack_timeouts"], 1) << s.dump();
  EXPECT_GE(s["peers_down"], 1) << s.dump();
  // Marked down: later visits do not wait (4 of 5 well under the bound: a loaded machine
  // may stall one).
  int quick = 0;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = Clock::now();
    ASSERT_TRUE(visit(a->port(), ""));
    if (ms_since(t0) < 80) ++quick;
  }
  EXPECT_GE(quick, 4);
  b->resume();
  // B catches up on what A sent while it slept (the deltas were queued, not lost).
  EXPECT_TRUE(wait_counter(b->port(), "deltas_in", s["deltas_out"].get<uint64_t>()));
  // Killed: the link drops, A neither waits nor fails.
  b->stop(SIGKILL);
  for (int i = 0; i < 5; ++i) {
    const auto t0 = Clock::now();
    auto r = visit(a->port(), "");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_LT(ms_since(t0), 500);
  }
}

TEST_P(HttpServerTest, ReplicatedNodeStartingLatePullsThePeersSnapshot) {
  const uint16_t b_port = reserve_port();
  ASSERT_NE(b_port, 0);
  IOMB_HTTP_START(a, node_flags("a", b_port, "async", {"--session-bytes", "64"}));
  std::vector<std::string> sids;
  for (int i = 0; i < 3; ++i) {
    auto r = visit(a->port(), "");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    sids.push_back(http::testing::sid_from_set_cookie(*r));
  }
  ASSERT_TRUE(visit(a->port(), sids[0]));  // visits 2
  auto flags = node_flags("b", a->port(), "async");
  flags.insert(flags.end(), {"--port", std::to_string(b_port)});
  IOMB_HTTP_START(b, flags);
  auto sb = sessions_stats(b->port());
  EXPECT_EQ(sb["snapshot_peers_skipped"], 0) << sb.dump();
  EXPECT_GT(sb["snapshot_bytes"], 3 * 64) << sb.dump();
  EXPECT_GE(sb["live"], 3);
  auto r = visit(b->port(), sids[0]);
  ASSERT_TRUE(r);
  EXPECT_EQ(json_of(r)["visits"], 3);
  EXPECT_EQ(json_of(r)["created_by"], "a");
  EXPECT_GT(sessions_stats(a->port())["snapshot_bytes_served"], 3 * 64);
  // A started alone: its own pull found no peer.
  EXPECT_EQ(sessions_stats(a->port())["snapshot_peers_skipped"], 1);
}

// True once a connect to `port` is refused (nothing listens), within 3 s.
bool port_refuses(uint16_t port) {
  const auto until = Clock::now() + 3s;
  while (Clock::now() < until) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
        errno == ECONNREFUSED) {
      return true;
    }
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

// Visits `sid` on `port` until it counts `visits` (its delta arrived) or `within` passes. A visit
// before the delta came starts an unrelated session, which is harmless here.
bool arrives(uint16_t port, const std::string& sid, uint64_t visits,
             std::chrono::milliseconds within = 3000ms) {
  const auto until = Clock::now() + within;
  while (Clock::now() < until) {
    auto j = json_of(visit(port, sid));
    if (j.is_object() && j["sid"] == sid && j["visits"] == visits) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

TEST_P(HttpServerTest, ReplicatedRestartedNodePullsTheStateAndIsFedAgain) {
  IOMB_REPLICATED_PAIR(a, b, "async", {});
  ASSERT_TRUE(links_up(a->port(), b->port()));
  auto first = visit(a->port(), "");
  ASSERT_TRUE(first);
  const std::string before_kill = http::testing::sid_from_set_cookie(*first);
  ASSERT_TRUE(arrives(b->port(), before_kill, 2));
  // B's delta of that visit is on A before B dies (async: a node killed loses what it had
  // not sent yet).
  ASSERT_TRUE(wait_counter(a->port(), "deltas_in", sessions_stats(b->port())["deltas_out"]));
  b->stop(SIGKILL);
  // While B is dead, A serves (its deltas to B are dropped, or lost in the closing socket).
  auto during = visit(a->port(), "");
  ASSERT_TRUE(during);
  ASSERT_EQ(during->status, 200);
  const std::string while_dead = http::testing::sid_from_set_cookie(*during);
  ASSERT_TRUE(visit(a->port(), while_dead));  // visits 2
  // A killed aio node's ring is torn down by the kernel after the process is gone: until then
  // its listener (held by the armed accept) still takes connections on the port, which a new
  // process bound with SO_REUSEPORT shares. Wait until the port refuses (that is gone).
  ASSERT_TRUE(port_refuses(b_port));
  auto again = start_http(b_flags);  // the same port and peers
  ASSERT_TRUE(again->started());
  EXPECT_EQ(sessions_stats(again->port())["snapshot_peers_skipped"], 0);
  // The pull brought both what B held before it died and what it missed.
  EXPECT_EQ(json_of(visit(again->port(), before_kill))["visits"], 3);
  EXPECT_EQ(json_of(visit(again->port(), while_dead))["visits"], 3);
  // A's links reconnect by themselves; then its new sessions reach the new B. Until A has
  // seen the old B's sockets close, its deltas go into them and are lost (async does not
  // resend): with aio --fixed-files the kernel closes a killed process's direct descriptors
  // only when it has torn down the ring, tens of ms later. So: new sessions until one arrives.
  bool reached = false;
  for (int i = 0; i < 30 && !reached; ++i) {
    auto fresh = visit(a->port(), "");
    ASSERT_TRUE(fresh);
    reached = arrives(again->port(), http::testing::sid_from_set_cookie(*fresh), 2, 200ms);
  }
  EXPECT_TRUE(reached) << sessions_stats(a->port()).dump();
}

TEST_P(HttpServerTest, ReplicatedSessionExpiresOnEveryNode) {
  IOMB_REPLICATED_PAIR(a, b, "sync", {"--session-ttl-s", "1"});
  ASSERT_TRUE(links_up(a->port(), b->port()));
  auto first = visit(a->port(), "");
  ASSERT_TRUE(first);
  const std::string sid = http::testing::sid_from_set_cookie(*first);
  EXPECT_EQ(json_of(visit(b->port(), sid))["visits"], 2);
  std::this_thread::sleep_for(1300ms);
  for (uint16_t port : {b->port(), a->port()}) {
    auto r = visit(port, sid);
    ASSERT_TRUE(r);
    EXPECT_EQ(json_of(r)["visits"], 1) << port;
    EXPECT_NE(http::testing::sid_from_set_cookie(*r), sid);
  }
}

TEST_P(HttpServerTest, ReplicationStreamGarbageClosesThatStreamOnly) {
  IOMB_HTTP_START(a, node_flags("a", reserve_port(), "async"));
  auto fd = connect_loopback(a->port());
  ASSERT_TRUE(send_all(fd.get(),
                       "POST /replication HTTP/1.1\r\nHost: x\r\nUpgrade: iomb-replication\r\n"
                       "Connection: Upgrade\r\nContent-Length: 0\r\n\r\n"));
  const std::string head = "HTTP/1.1 101 Switching Protocols\r\n";
  EXPECT_EQ(recv_exact(fd.get(), head.size()), head);
  ASSERT_TRUE(send_all(fd.get(), "GET / HTTP/1.1\r\n\r\n"));  // not a frame
  EXPECT_TRUE(wait_peer_closed(fd.get(), 2000ms));
  auto other = connect_loopback(a->port());
  auto r = roundtrip(other.get(), get_request("/"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(sessions_stats(a->port())["streams_rejected"], 1);
  // Without the Upgrade header: 426 and the header to use.
  auto plain = roundtrip(other.get(),
                         "POST /replication HTTP/1.1\r\nHost: x\r\n"
                         "Content-Length: 0\r\n\r\n");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 426);
  EXPECT_EQ(plain->header("Upgrade"), "iomb-replication");
}

TEST_P(HttpServerTest, ReplicationUpgradeToAStoreThatDoesNotReplicateIs404) {
  IOMB_HTTP_START(server, {});
  auto fd = connect_loopback(server->port());
  auto r = roundtrip(fd.get(),
                     "POST /replication HTTP/1.1\r\nHost: x\r\nUpgrade: iomb-replication\r\n"
                     "Connection: Upgrade\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  auto snap =
      roundtrip(connect_loopback(server->port()).get(), get_request("/replication/snapshot"));
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->status, 404);
}

}  // namespace
}  // namespace iomb::testing
