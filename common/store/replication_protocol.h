// The replication stream between two nodes of --session-store replicated (DESIGN §3.5): framing,
// the sending side (ReplicationSender, a StoreProtocol over a StoreLink to one peer) and the
// receiving side (ReplicationReceiver, fed by the HTTP connection a peer upgraded).
// Wire: the sender opens the peer's HTTP port and writes
//   POST /replication HTTP/1.1\r\nHost: iomb\r\nUpgrade: iomb-replication\r\nConnection:
//   Upgrade\r\n Content-Length: 0\r\n\r\n
// and, without waiting, frames; the peer answers `HTTP/1.1 101 Switching Protocols` (skipped
// up to its blank line) and then frames. A frame is [u8 type][u32 LE body length][body]:
//   'D' delta: u64 sid.hi, u64 sid.lo, u64 visits, i64 created_at_ms, i64 last_seen_ms,
//       u16 created_by length + bytes, u32 payload length + bytes (all little endian)
//   'A' ack: u64 count of deltas received on this connection so far (cumulative: the peer
//       applies deltas in order, so one number acks them all)
//   'H' heartbeat: empty; the receiver answers it with an ack (both directions make progress,
//       so neither side's idle timeout closes a live stream).
// Times are CLOCK_MONOTONIC ms: comparable between processes of one host only.
// Threads: one sender / receiver per connection, on that connection's thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/http/memory_session_store.h"
#include "common/store/store_link.h"

namespace iomb::store {

using SessionDelta = http::SessionRecord;

inline constexpr size_t kMaxFrameBody = 1 << 20;
inline constexpr int64_t kHeartbeatMs = 1000;
// Unsent output a sender may hold (a paused peer stops reading); past it, deltas are dropped
// (counted) until the peer takes its bytes again.
inline constexpr size_t kMaxSenderBacklog = 16u << 20;
inline constexpr std::string_view kReplicationPath = "/replication";
inline constexpr std::string_view kReplicationUpgrade = "iomb-replication";

void append_delta_frame(std::string& out, const SessionDelta& delta);
void append_ack_frame(std::string& out, uint64_t count);
void append_heartbeat_frame(std::string& out);
std::optional<SessionDelta> decode_delta(std::string_view body);

// Splits a byte stream into frames; any split of the input gives the same frames.
class FrameReader {
 public:
  struct Frame {
    char type = 0;
    std::string_view body;  // valid until the next feed()
  };
  enum class Next { kFrame, kNeedMore, kError };
  void feed(std::string_view data);
  Next next(Frame& frame);
  // Every byte fed was returned in frames (no partial frame is held).
  bool empty() const { return pos_ == buf_.size(); }

 private:
  std::string buf_;
  size_t pos_ = 0;
};

// Counters shared by every link of one store (any thread).
struct ReplicationCounters {
  std::atomic<uint64_t> bytes_out{0};
  std::atomic<uint64_t> bytes_in{0};
  std::atomic<uint64_t> deltas_out{0};
  std::atomic<uint64_t> deltas_in{0};
  std::atomic<uint64_t> deltas_dropped{0};  // not sent: the peer's link was down or backed up
  std::atomic<uint64_t> acks{0};
  std::atomic<uint64_t> ack_timeouts{0};
  std::atomic<uint64_t> peers_down{0};        // marked down: an ack timed out, or the link dropped
  std::atomic<uint64_t> streams_rejected{0};  // garbage on an incoming stream: closed
  std::atomic<uint64_t> snapshot_bytes{0};    // pulled from peers at startup
  std::atomic<uint64_t> snapshot_bytes_served{0};  // GET /replication/snapshot answered
  std::atomic<uint64_t> snapshot_peers_skipped{0};
  // A link that reconnects after dropping deltas sends the whole store first (resync).
  std::atomic<uint64_t> resyncs{0};
  std::atomic<uint64_t> resync_bytes{0};
  std::atomic<uint64_t> resyncs_skipped{0};  // the store was larger than the sender's backlog
};

// Where a sender reports that it no longer holds a sync visit back (acked, timed out, link lost).
class AckWaiter {
 public:
  virtual void release(uint32_t slot) = 0;

 protected:
  ~AckWaiter() = default;
};

class ReplicationSender final : public StoreProtocol {
 public:
  // Appends every session as delta frames; returns how many.
  using Resync = std::function<size_t(std::string& out)>;

  // `resync`: when the link comes back after deltas were dropped for it (the peer was down,
  // restarting, or backed up), the whole store goes first, so the peer gets what it missed.
  // Without it, a node that restarts, pulls its snapshot and starts serving misses every delta
  // sent between that pull and its peers' links reconnecting (up to kReconnectMaxMs), and
  // serves those sessions stale (measured: 21-30 stale visits per node restart at 2,000
  // visits/s). Deltas merge by max(visits), so the repetition is harmless.
  ReplicationSender(ReplicationCounters& counters, AckWaiter& waiter, int64_t timeout_ms,
                    std::function<int64_t()> now_ms, Resync resync = {});

  bool connected() const { return connected_; }
  // Connected and not marked down: a sync visit waits for this peer's ack.
  bool live() const { return connected_ && !down_; }
  // Appends an encoded delta frame; with `slot` (sync), holds it until the ack (or the bound).
  void send_delta(std::string_view frame, std::optional<uint32_t> slot);

  void on_connected() override;
  void on_input(std::string_view data) override;
  void on_disconnected() override;
  void on_tick(int64_t now_ms) override;
  bool idle() const override { return waiting_.empty(); }

 private:
  struct Waiting {
    uint64_t index;  // this delta's count on the connection
    uint32_t slot;
    int64_t deadline_ms;
  };
  void release_all();
  void append(std::string_view bytes);

  ReplicationCounters& counters_;
  AckWaiter& waiter_;
  const int64_t timeout_ms_;
  const std::function<int64_t()> now_ms_;
  const Resync resync_;
  bool dropped_since_connected_ = false;
  bool connected_ = false;
  bool down_ = false;
  bool response_skipped_ = false;
  bool refused_ = false;       // the peer answered the upgrade with anything but 101
  std::string response_head_;  // the 101 answer up to its blank line
  uint64_t sent_ = 0;          // deltas sent on this connection
  uint64_t acked_ = 0;
  int64_t last_send_ms_ = 0;
  std::deque<Waiting> waiting_;
  FrameReader reader_;
};

// Applies incoming deltas (thread-safe; the store).
class DeltaSink {
 public:
  virtual void apply_delta(const SessionDelta& delta) = 0;

 protected:
  ~DeltaSink() = default;
};

class ReplicationReceiver final : public http::UpgradedStream {
 public:
  ReplicationReceiver(DeltaSink& sink, ReplicationCounters& counters);
  // Bytes after the upgrade request; appends acks to `out`. False: garbage, close the stream.
  bool on_input(std::string_view data, std::string& out) override;

 private:
  DeltaSink& sink_;
  ReplicationCounters& counters_;
  FrameReader reader_;
  uint64_t received_ = 0;
};

}  // namespace iomb::store
