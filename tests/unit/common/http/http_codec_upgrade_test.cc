// HttpCodec's switch to a replication stream (POST /replication + Upgrade: iomb-replication):
// 101, then every later byte to the store's stream — frames in the same read as the request,
// split reads, nio:workers' deferred dispatch — and a stream is never mid_request().
#include <gtest/gtest.h>

#include "common/http/http_codec.h"
#include "common/store/replicated_session_store.h"
#include "common/store/replication_protocol.h"

namespace iomb::http {
namespace {

constexpr std::string_view kUpgrade =
    "POST /replication HTTP/1.1\r\nHost: x\r\nUpgrade: iomb-replication\r\n"
    "Connection: Upgrade\r\nContent-Length: 0\r\n\r\n";
constexpr std::string_view k101 =
    "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: iomb-replication\r\n"
    "\r\n";

struct Node {
  store::ReplicatedSessionStore* store = nullptr;
  std::unique_ptr<HttpService> service;
  Node() {
    store::ReplicatedSessionStoreOptions o;
    o.memory.node_id = "b";
    auto s = std::make_unique<store::ReplicatedSessionStore>(o);
    store = s.get();
    HttpServiceOptions ho;
    ho.node_id = "b";
    service = std::make_unique<HttpService>(ho, std::move(s), nullptr);
  }
};

std::string delta_frame(uint64_t lo, uint64_t visits) {
  SessionRecord d;
  d.sid = SessionId{7, lo};
  d.visits = visits;
  d.created_at_ms = store::monotonic_ms();
  d.last_seen_ms = d.created_at_ms;
  d.created_by = "a";
  std::string f;
  store::append_delta_frame(f, d);
  return f;
}

std::string ack_frame(uint64_t n) {
  std::string f;
  store::append_ack_frame(f, n);
  return f;
}

TEST(HttpCodecUpgrade, FramesInTheUpgradeReadAndLaterReadsReachTheStore) {
  for (HttpCodec::Dispatch dispatch :
       {HttpCodec::Dispatch::kInline, HttpCodec::Dispatch::kDeferred}) {
    Node node;
    HttpCodec codec(*node.service, dispatch);
    const std::string first = delta_frame(1, 3), second = delta_frame(2, 5);
    codec.on_input(std::string(kUpgrade) + first + second.substr(0, 10));
    EXPECT_FALSE(codec.take_ready_request());  // handled on the IO thread, never a worker's
    EXPECT_TRUE(codec.streaming());
    EXPECT_FALSE(codec.should_close());
    EXPECT_FALSE(codec.mid_request());  // half a frame waits: not a request deadline
    EXPECT_TRUE(codec.want_read());
    EXPECT_EQ(codec.output(), std::string(k101) + ack_frame(1));
    codec.consume_output(codec.pending_output());
    codec.on_input(second.substr(10));
    EXPECT_EQ(codec.output(), ack_frame(2));
    EXPECT_EQ(node.store->memory().stats().live, 2u);
    EXPECT_EQ(node.store->counters().deltas_in.load(), 2u);
  }
}

TEST(HttpCodecUpgrade, UpgradeAfterPipelinedRequestsAndGarbageCloses) {
  Node node;
  HttpCodec codec(*node.service);
  codec.on_input(std::string("GET /healthz HTTP/1.1\r\n\r\n") + std::string(kUpgrade) +
                 "not a frame");
  std::string out(codec.output());
  EXPECT_EQ(out.find("HTTP/1.1 200 OK"), 0u);
  EXPECT_NE(out.find(k101), std::string::npos);
  EXPECT_TRUE(codec.should_close());
  EXPECT_EQ(node.store->counters().streams_rejected.load(), 1u);
}

TEST(HttpCodecUpgrade, OtherUpgradesAreAnsweredAndClosed) {
  Node node;
  HttpCodec codec(*node.service);
  codec.on_input("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  EXPECT_EQ(std::string(codec.output()).find("HTTP/1.1 200 OK"), 0u);
  EXPECT_FALSE(codec.streaming());
  EXPECT_TRUE(codec.should_close());
}

}  // namespace
}  // namespace iomb::http
