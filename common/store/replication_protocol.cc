// Implementation of replication_protocol.h.
#include "common/store/replication_protocol.h"

#include <algorithm>

namespace iomb::store {
namespace {

constexpr size_t kHeader = 5;
constexpr size_t kMaxResponseHead = 4096;
constexpr std::string_view kUpgradeRequest =
    "POST /replication HTTP/1.1\r\nHost: iomb\r\nUpgrade: iomb-replication\r\n"
    "Connection: Upgrade\r\nContent-Length: 0\r\n\r\n";

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}
uint64_t get_le(std::string_view s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= static_cast<uint64_t>(static_cast<unsigned char>(s[at + static_cast<size_t>(i)]))
         << (8 * i);
  }
  return v;
}
void begin_frame(std::string& out, char type, size_t body) {
  out.push_back(type);
  put_u32(out, static_cast<uint32_t>(body));
}

}  // namespace

void append_delta_frame(std::string& out, const SessionDelta& d) {
  const size_t body = 8 * 5 + 2 + d.created_by.size() + 4 + d.payload.size();
  begin_frame(out, 'D', body);
  put_u64(out, d.sid.hi);
  put_u64(out, d.sid.lo);
  put_u64(out, d.visits);
  put_u64(out, static_cast<uint64_t>(d.created_at_ms));
  put_u64(out, static_cast<uint64_t>(d.last_seen_ms));
  put_u16(out, static_cast<uint16_t>(d.created_by.size()));
  out.append(d.created_by);
  put_u32(out, static_cast<uint32_t>(d.payload.size()));
  out.append(d.payload);
}

void append_ack_frame(std::string& out, uint64_t count) {
  begin_frame(out, 'A', 8);
  put_u64(out, count);
}

void append_heartbeat_frame(std::string& out) { begin_frame(out, 'H', 0); }

std::optional<SessionDelta> decode_delta(std::string_view b) {
  if (b.size() < 8 * 5 + 2) return std::nullopt;
  SessionDelta d;
  d.sid.hi = get_le(b, 0, 8);
  d.sid.lo = get_le(b, 8, 8);
  d.visits = get_le(b, 16, 8);
  d.created_at_ms = static_cast<int64_t>(get_le(b, 24, 8));
  d.last_seen_ms = static_cast<int64_t>(get_le(b, 32, 8));
  const size_t by = get_le(b, 40, 2);
  size_t at = 42;
  if (b.size() < at + by + 4) return std::nullopt;
  d.created_by.assign(b.substr(at, by));
  at += by;
  const size_t payload = get_le(b, at, 4);
  at += 4;
  if (b.size() != at + payload) return std::nullopt;
  d.payload.assign(b.substr(at, payload));
  return d;
}

void FrameReader::feed(std::string_view data) {
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 64 * 1024) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(data);
}

FrameReader::Next FrameReader::next(Frame& frame) {
  std::string_view rest = std::string_view(buf_).substr(pos_);
  if (rest.empty()) return Next::kNeedMore;
  const char type = rest[0];
  if (type != 'D' && type != 'A' && type != 'H') return Next::kError;
  if (rest.size() < kHeader) return Next::kNeedMore;
  const size_t body = get_le(rest, 1, 4);
  if (body > kMaxFrameBody) return Next::kError;
  if (rest.size() < kHeader + body) return Next::kNeedMore;
  frame.type = type;
  frame.body = rest.substr(kHeader, body);
  pos_ += kHeader + body;
  return Next::kFrame;
}

ReplicationSender::ReplicationSender(ReplicationCounters& counters, AckWaiter& waiter,
                                     int64_t timeout_ms, std::function<int64_t()> now_ms,
                                     Resync resync)
    : counters_(counters),
      waiter_(waiter),
      timeout_ms_(timeout_ms),
      now_ms_(std::move(now_ms)),
      resync_(std::move(resync)) {}

void ReplicationSender::append(std::string_view bytes) {
  out_.append(bytes);
  counters_.bytes_out.fetch_add(bytes.size(), std::memory_order_relaxed);
}

void ReplicationSender::send_delta(std::string_view frame, std::optional<uint32_t> slot) {
  if (!connected_ || pending_output() > kMaxSenderBacklog) {
    counters_.deltas_dropped.fetch_add(1, std::memory_order_relaxed);
    dropped_since_connected_ = true;
    if (slot) waiter_.release(*slot);
    return;
  }
  append(frame);
  ++sent_;
  counters_.deltas_out.fetch_add(1, std::memory_order_relaxed);
  const int64_t now = now_ms_();
  last_send_ms_ = now;
  if (slot) {
    if (down_) {
      waiter_.release(*slot);
    } else {
      waiting_.push_back({sent_, *slot, now + timeout_ms_});
    }
  }
}

void ReplicationSender::on_connected() {
  connected_ = true;
  down_ = false;
  response_skipped_ = false;
  refused_ = false;
  response_head_.clear();
  reader_ = FrameReader();
  sent_ = 0;
  acked_ = 0;
  last_send_ms_ = now_ms_();
  append(kUpgradeRequest);
  if (dropped_since_connected_ && resync_) {
    std::string frames;
    const size_t count = resync_(frames);
    if (frames.size() <= kMaxSenderBacklog) {
      append(frames);
      sent_ += count;  // the peer acks them like any delta
      counters_.resyncs.fetch_add(1, std::memory_order_relaxed);
      counters_.resync_bytes.fetch_add(frames.size(), std::memory_order_relaxed);
    } else {
      counters_.resyncs_skipped.fetch_add(1, std::memory_order_relaxed);
    }
  }
  dropped_since_connected_ = false;
}

void ReplicationSender::on_input(std::string_view data) {
  counters_.bytes_in.fetch_add(data.size(), std::memory_order_relaxed);
  if (!response_skipped_) {
    // The peer's 101 answer: headers up to the blank line, then frames.
    const size_t before = response_head_.size();
    response_head_.append(data);
    const size_t end = response_head_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (response_head_.size() > kMaxResponseHead) response_head_.clear();
      return;
    }
    response_skipped_ = true;
    data.remove_prefix(end + 4 - before);
    // Not a replicating node (e.g. 404 from a memory store): never wait for it.
    if (response_head_.compare(0, 13, "HTTP/1.1 101 ") != 0) {
      counters_.streams_rejected.fetch_add(1, std::memory_order_relaxed);
      if (!down_) counters_.peers_down.fetch_add(1, std::memory_order_relaxed);
      down_ = true;
      refused_ = true;
      release_all();
    }
    response_head_.clear();
  }
  if (refused_) return;
  reader_.feed(data);
  FrameReader::Frame frame;
  while (reader_.next(frame) == FrameReader::Next::kFrame) {
    if (frame.type != 'A' || frame.body.size() != 8) continue;
    const uint64_t count = get_le(frame.body, 0, 8);
    counters_.acks.fetch_add(1, std::memory_order_relaxed);
    acked_ = std::max(acked_, count);
    while (!waiting_.empty() && waiting_.front().index <= acked_) {
      const uint32_t slot = waiting_.front().slot;
      waiting_.pop_front();
      waiter_.release(slot);  // may send the next delta: waiting_ may grow
    }
    if (down_ && acked_ == sent_) down_ = false;  // caught up: live again
  }
}

void ReplicationSender::release_all() {
  while (!waiting_.empty()) {
    const uint32_t slot = waiting_.front().slot;
    waiting_.pop_front();
    waiter_.release(slot);
  }
}

void ReplicationSender::on_disconnected() {
  if (connected_) counters_.peers_down.fetch_add(1, std::memory_order_relaxed);
  connected_ = false;
  clear_output();
  release_all();
}

void ReplicationSender::on_tick(int64_t now_ms) {
  if (!waiting_.empty() && now_ms >= waiting_.front().deadline_ms) {
    counters_.ack_timeouts.fetch_add(1, std::memory_order_relaxed);
    if (!down_) counters_.peers_down.fetch_add(1, std::memory_order_relaxed);
    down_ = true;
    release_all();
  }
  if (connected_ && now_ms - last_send_ms_ >= kHeartbeatMs) {
    std::string hb;
    append_heartbeat_frame(hb);
    append(hb);
    last_send_ms_ = now_ms;
  }
}

ReplicationReceiver::ReplicationReceiver(DeltaSink& sink, ReplicationCounters& counters)
    : sink_(sink), counters_(counters) {}

bool ReplicationReceiver::on_input(std::string_view data, std::string& out) {
  counters_.bytes_in.fetch_add(data.size(), std::memory_order_relaxed);
  reader_.feed(data);
  FrameReader::Frame frame;
  bool ack = false;
  for (;;) {
    const FrameReader::Next next = reader_.next(frame);
    if (next == FrameReader::Next::kNeedMore) break;
    if (next == FrameReader::Next::kError) {
      counters_.streams_rejected.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (frame.type == 'D') {
      auto delta = decode_delta(frame.body);
      if (!delta) {
        counters_.streams_rejected.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
      sink_.apply_delta(*delta);
      ++received_;
      counters_.deltas_in.fetch_add(1, std::memory_order_relaxed);
      ack = true;
    } else if (frame.type == 'H') {
      ack = true;
    }
  }
  if (ack) {
    const size_t before = out.size();
    append_ack_frame(out, received_);  // one cumulative ack per read
    counters_.bytes_out.fetch_add(out.size() - before, std::memory_order_relaxed);
  }
  return true;
}

}  // namespace iomb::store
