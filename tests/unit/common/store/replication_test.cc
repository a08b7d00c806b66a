// ReplicationSender / ReplicationReceiver / ReplicatedSessionStore back to back, without sockets.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "common/store/replicated_session_store.h"
#include "common/store/replication_protocol.h"
#include "common/store/snapshot_pull.h"
#include "common/unique_fd.h"

namespace iomb::store {
namespace {

struct Sink final : DeltaSink {
  std::vector<SessionDelta> got;
  void apply_delta(const SessionDelta& d) override { got.push_back(d); }
};

SessionDelta sample() {
  SessionDelta d;
  d.sid = http::SessionId{1, 2};
  d.visits = 7;
  d.created_at_ms = 100;
  d.last_seen_ms = 200;
  d.created_by = "node-a";
  d.payload = "pp";
  return d;
}

TEST(ReplicationFrames, DeltaAndHeartbeatSplitAtEveryByte) {
  std::string stream;
  append_delta_frame(stream, sample());
  append_heartbeat_frame(stream);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    Sink sink;
    ReplicationCounters c;
    ReplicationReceiver rx(sink, c);
    std::string out;
    ASSERT_TRUE(rx.on_input(std::string_view(stream).substr(0, cut), out));
    ASSERT_TRUE(rx.on_input(std::string_view(stream).substr(cut), out));
    ASSERT_EQ(sink.got.size(), 1u) << cut;
    EXPECT_EQ(sink.got[0].visits, 7u);
    EXPECT_EQ(sink.got[0].created_by, "node-a");
    EXPECT_EQ(sink.got[0].payload, "pp");
    EXPECT_EQ(sink.got[0].sid, (http::SessionId{1, 2}));
    EXPECT_FALSE(out.empty());
  }
}

TEST(ReplicationFrames, GarbageIsRejected) {
  Sink sink;
  ReplicationCounters c;
  ReplicationReceiver rx(sink, c);
  std::string out;
  EXPECT_FALSE(rx.on_input("GET / HTTP/1.1\r\n", out));
  EXPECT_EQ(c.streams_rejected.load(), 1u);
  EXPECT_TRUE(sink.got.empty());
}

struct Waiter final : AckWaiter {
  std::vector<uint32_t> released;
  void release(uint32_t slot) override { released.push_back(slot); }
};

TEST(ReplicationSender, AckReleasesAndTimeoutMarksDown) {
  int64_t now = 0;
  ReplicationCounters c;
  Waiter w;
  ReplicationSender tx(c, w, 100, [&] { return now; });
  tx.on_connected();
  tx.consume_output(tx.pending_output());
  std::string frame;
  append_delta_frame(frame, sample());
  tx.send_delta(frame, 5u);
  tx.send_delta(frame, 6u);
  EXPECT_TRUE(w.released.empty());
  // Feed the sender's frames to a receiver; its acks back (after a 101 head).
  Sink sink;
  ReplicationReceiver rx(sink, c);
  std::string acks = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
  ASSERT_TRUE(rx.on_input(tx.output(), acks));
  tx.on_input(acks);
  EXPECT_EQ(w.released, (std::vector<uint32_t>{5u, 6u}));
  EXPECT_EQ(sink.got.size(), 2u);
  // No ack: the deadline releases and marks the peer down.
  tx.send_delta(frame, 7u);
  now = 99;
  tx.on_tick(now);
  EXPECT_EQ(w.released.size(), 2u);
  now = 100;
  tx.on_tick(now);
  EXPECT_EQ(w.released.size(), 3u);
  EXPECT_FALSE(tx.live());
  EXPECT_EQ(c.ack_timeouts.load(), 1u);
  EXPECT_EQ(c.peers_down.load(), 1u);
}

TEST(ReplicatedStore, UnattachedVisitIsServedAndApplyMergesMaxVisits) {
  ReplicatedSessionStoreOptions o;
  o.memory.node_id = "node-b";
  ReplicatedSessionStore store(o);
  SessionDelta d = sample();
  d.last_seen_ms = monotonic_ms();  // the TTL (default 1800 s) runs from here
  store.apply_delta(d);
  d.visits = 3;
  store.apply_delta(d);
  struct Cb final : http::VisitCallback {
    http::VisitResult r;
    std::string by;
    void on_visit(const http::VisitResult& x) override {
      r = x;
      by.assign(x.created_by);
    }
  } cb;
  auto hex = d.sid.hex();
  store.visit({std::string_view(hex.data(), hex.size()), {}}, cb);
  EXPECT_EQ(cb.r.visits, 8u);
  EXPECT_EQ(cb.by, "node-a");
  // The snapshot carries the merged session to a store that starts empty.
  std::string body;
  ASSERT_TRUE(store.append_snapshot(body));
  ReplicatedSessionStoreOptions o2;
  ReplicatedSessionStore joined(o2);
  ASSERT_TRUE(apply_snapshot(body, [&](const SessionDelta& x) { joined.apply_delta(x); }));
  Cb again;
  joined.visit({std::string_view(hex.data(), hex.size()), {}}, again);
  EXPECT_EQ(again.r.visits, 9u);
  EXPECT_EQ(again.by, "node-a");
}

TEST(ReplicationSnapshot, TruncatedOrForeignFramesAreRefused) {
  std::string body;
  append_delta_frame(body, sample());
  append_delta_frame(body, sample());
  int applied = 0;
  auto count = [&](const SessionDelta&) { ++applied; };
  EXPECT_TRUE(apply_snapshot(body, count));
  EXPECT_EQ(applied, 2);
  applied = 0;
  EXPECT_FALSE(apply_snapshot(std::string_view(body).substr(0, body.size() - 1), count));
  EXPECT_EQ(applied, 1);  // the whole first frame, not the cut second one
  std::string ack;
  append_ack_frame(ack, 1);
  EXPECT_FALSE(apply_snapshot(ack, count));
  EXPECT_TRUE(apply_snapshot("", count));
}

TEST(ReplicationSender, PeerThatRefusesTheUpgradeIsNotWaitedFor) {
  ReplicationCounters c;
  Waiter w;
  ReplicationSender tx(c, w, 100, [] { return int64_t{0}; });
  tx.on_connected();
  std::string frame;
  append_delta_frame(frame, sample());
  tx.send_delta(frame, 1u);
  tx.on_input("HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\nnot found\n");
  EXPECT_EQ(w.released, (std::vector<uint32_t>{1u}));
  EXPECT_FALSE(tx.live());
  EXPECT_EQ(c.streams_rejected.load(), 1u);
  tx.send_delta(frame, 2u);  // down: released at once
  EXPECT_EQ(w.released.size(), 2u);
}

TEST(ReplicationSender, BackedUpPeerDropsDeltasInsteadOfGrowing) {
  ReplicationCounters c;
  Waiter w;
  ReplicationSender tx(c, w, 100, [] { return int64_t{0}; });
  tx.on_connected();
  SessionDelta big = sample();
  big.payload.assign(1 << 20, 'x');
  std::string frame;
  append_delta_frame(frame, big);
  for (int i = 0; i < 40; ++i) tx.send_delta(frame, std::nullopt);  // nothing is consumed
  EXPECT_LE(tx.pending_output(), kMaxSenderBacklog + frame.size() + 4096);
  EXPECT_GT(c.deltas_dropped.load(), 20u);
  tx.send_delta(frame, 9u);  // a sync visit is not held for a delta that was dropped
  EXPECT_EQ(w.released, (std::vector<uint32_t>{9u}));
}

// A link that comes back after dropping deltas sends the whole store before anything else, and
// the peer's acks count those frames, so a sync visit after the resync is released by its own
// ack, not by an earlier one.
TEST(ReplicationSender, ReconnectAfterDroppedDeltasResendsTheWholeStore) {
  ReplicationCounters c;
  Waiter w;
  int resyncs = 0;
  ReplicationSender tx(c, w, 100, [] { return int64_t{0}; }, [&](std::string& out) {
    ++resyncs;
    SessionDelta a = sample(), b = sample();
    b.sid = http::SessionId{3, 4};
    b.visits = 9;
    append_delta_frame(out, a);
    append_delta_frame(out, b);
    return size_t{2};
  });
  tx.on_connected();  // the first connection: nothing was dropped, nothing to resend
  EXPECT_EQ(resyncs, 0);
  tx.on_disconnected();
  std::string frame;
  append_delta_frame(frame, sample());
  tx.send_delta(frame, std::nullopt);  // dropped: the peer is down
  EXPECT_EQ(c.deltas_dropped.load(), 1u);
  tx.on_connected();
  EXPECT_EQ(resyncs, 1);
  EXPECT_EQ(c.resyncs.load(), 1u);
  tx.send_delta(frame, 8u);
  Sink sink;
  ReplicationReceiver rx(sink, c);
  std::string acks = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
  std::string out(tx.output());
  const size_t upgrade_end = out.find("\r\n\r\n");  // the upgrade request comes first
  ASSERT_NE(upgrade_end, std::string::npos);
  out.erase(0, upgrade_end + 4);
  // Up to the resync's frames only: their acks must not release visit 8.
  ASSERT_TRUE(rx.on_input(std::string_view(out).substr(0, out.size() - frame.size()), acks));
  tx.on_input(acks);
  EXPECT_TRUE(w.released.empty());
  EXPECT_EQ(sink.got.size(), 2u);
  EXPECT_EQ(sink.got[1].visits, 9u);
  std::string more;
  ASSERT_TRUE(rx.on_input(std::string_view(out).substr(out.size() - frame.size()), more));
  tx.on_input(more);
  EXPECT_EQ(w.released, (std::vector<uint32_t>{8u}));
  // A second reconnect with nothing dropped sends no resync.
  tx.on_disconnected();
  tx.on_connected();
  EXPECT_EQ(resyncs, 1);
}

// A node that pulled a peer's snapshot is not ready (GET /healthz answers 503) until a
// replication stream came in (the peer's link reconnected: deltas flow again); a node whose
// peers did not answer is ready at once.
TEST(ReplicatedStore, NotReadyUntilEveryPeerThatAnsweredStreamsToIt) {
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener.get(), 1), 0);
  ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  std::thread peer([&] {  // answers one snapshot request, empty
    UniqueFd c(::accept(listener.get(), nullptr, nullptr));
    char buf[1024];
    (void)::recv(c.get(), buf, sizeof buf, 0);
    const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    (void)::send(c.get(), answer.data(), answer.size(), MSG_NOSIGNAL);
  });
  ReplicatedSessionStoreOptions o;
  o.peers = {Endpoint{"127.0.0.1", ntohs(addr.sin_port)}};
  ReplicatedSessionStore store(o);
  EXPECT_EQ(store.pull_snapshots(), 1u);
  peer.join();
  EXPECT_FALSE(store.ready());
  auto stream = store.open_replication_stream();
  EXPECT_TRUE(store.ready());

  ReplicatedSessionStoreOptions alone;
  alone.peers = {Endpoint{"127.0.0.1", 1}};  // nobody answers on port 1
  alone.snapshot_timeout_ms = 200;
  ReplicatedSessionStore lonely(alone);
  EXPECT_EQ(lonely.pull_snapshots(), 0u);
  EXPECT_TRUE(lonely.ready());
}

}  // namespace
}  // namespace iomb::store
