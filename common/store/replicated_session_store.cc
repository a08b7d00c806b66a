// Implementation of replicated_session_store.h.
#include "common/store/replicated_session_store.h"

#include <memory>

#include "common/store/snapshot_pull.h"

namespace iomb::store {

namespace {

// Copies the memory store's synchronous result (its created_by view ends with the call).
struct CaptureVisit final : http::VisitCallback {
  http::VisitResult result;
  void on_visit(const http::VisitResult& r) override { result = r; }
};

}  // namespace

struct ReplicatedSessionStore::LoopState final : AckWaiter {
  struct Pending {
    http::VisitCallback* done = nullptr;
    http::VisitResult result;
    std::string created_by;
    uint32_t remaining = 0;
  };
  struct Peer {
    std::unique_ptr<ReplicationSender> sender;
    std::unique_ptr<StoreLink> link;
  };

  const ReplicatedSessionStore* owner = nullptr;
  std::vector<Peer> peers;
  std::vector<Pending> pending;  // sync visits waiting for acks, by slot
  std::vector<uint32_t> free_slots;
  http::SessionRecord record;  // reused: the change of the current visit
  std::string frame;           // reused: its delta frame
  int callback_depth = 0;      // inside a sender's callback: its link sends when it returns

  uint32_t take_slot() {
    if (free_slots.empty()) {
      pending.emplace_back();
      return static_cast<uint32_t>(pending.size() - 1);
    }
    const uint32_t slot = free_slots.back();
    free_slots.pop_back();
    return slot;
  }

  void release(uint32_t slot) override {
    Pending& p = pending[slot];
    if (--p.remaining > 0) return;
    // The callback may start the next visit (and grow `pending`): complete from copies.
    http::VisitCallback* done = p.done;
    http::VisitResult result = p.result;
    std::string created_by = std::move(p.created_by);
    p = Pending();
    free_slots.push_back(slot);
    result.created_by = created_by;
    ++callback_depth;
    done->on_visit(result);
    --callback_depth;
  }

  void flush_all() {
    if (callback_depth > 0) return;  // the links send after the callback (at most kTickMs)
    for (Peer& peer : peers) {
      if (peer.sender->pending_output() > 0) peer.link->flush();
    }
  }
};

// A blocking thread's reusable buffers (its visits replicate through peer_threads_).
struct ReplicatedSessionStore::BlockingState {
  const ReplicatedSessionStore* owner = nullptr;
  http::SessionRecord record;
  std::string frame;
};

namespace {
thread_local ReplicatedSessionStore::LoopState* t_loop = nullptr;
thread_local ReplicatedSessionStore::BlockingState* t_blocking = nullptr;
}  // namespace

ReplicatedSessionStore::ReplicatedSessionStore(ReplicatedSessionStoreOptions options)
    : options_(std::move(options)), memory_(options_.memory) {}

ReplicatedSessionStore::~ReplicatedSessionStore() = default;

bool ReplicatedSessionStore::append_snapshot(std::string& out) const {
  const size_t before = out.size();
  memory_.for_each([&out](const http::SessionRecord& r) { append_delta_frame(out, r); });
  counters_.snapshot_bytes_served.fetch_add(out.size() - before, std::memory_order_relaxed);
  return true;
}

size_t ReplicatedSessionStore::append_resync(std::string& out) const {
  size_t frames = 0;
  memory_.for_each([&](const http::SessionRecord& r) {
    append_delta_frame(out, r);
    ++frames;
  });
  return frames;
}

std::unique_ptr<http::UpgradedStream> ReplicatedSessionStore::open_replication_stream() {
  streams_opened_.fetch_add(1, std::memory_order_relaxed);
  return std::make_unique<ReplicationReceiver>(*this, counters_);
}

size_t ReplicatedSessionStore::pull_snapshots() {
  size_t reached = 0;
  for (const Endpoint& peer : options_.peers) {
    std::optional<std::string> body = fetch_snapshot(peer, options_.snapshot_timeout_ms);
    if (!body || !apply_snapshot(*body, [this](const SessionDelta& d) { memory_.apply(d); })) {
      counters_.snapshot_peers_skipped.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    counters_.snapshot_bytes.fetch_add(body->size(), std::memory_order_relaxed);
    ++reached;
  }
  peers_at_start_ = reached;
  pulled_at_ms_ = monotonic_ms();
  return reached;
}

bool ReplicatedSessionStore::ready() const {
  return streams_opened_.load(std::memory_order_relaxed) >= peers_at_start_ ||
         monotonic_ms() - pulled_at_ms_ >= kCatchUpMaxMs;
}

void ReplicatedSessionStore::attach_loop(LoopStoreIo& io) {
  if (io.blocking()) {
    std::call_once(peer_threads_once_, [this] {
      std::function<int64_t()> now =
          options_.now_ms ? options_.now_ms : std::function(monotonic_ms);
      peer_threads_ = std::make_unique<ReplicationPeerThreads>(
          options_.peers, counters_, options_.timeout_ms, now,
          [this](std::string& out) { return append_resync(out); });
    });
    auto* state = new BlockingState;
    state->owner = this;
    t_blocking = state;
    return;
  }
  auto state = std::make_unique<LoopState>();
  state->owner = this;
  std::function<int64_t()> now = options_.now_ms ? options_.now_ms : std::function(monotonic_ms);
  for (const Endpoint& to : options_.peers) {
    LoopState::Peer peer;
    peer.sender = std::make_unique<ReplicationSender>(
        counters_, *state, options_.timeout_ms, now,
        [this](std::string& out) { return append_resync(out); });
    peer.link = io.open_link(to, *peer.sender);
    state->peers.push_back(std::move(peer));
  }
  t_loop = state.release();
}

void ReplicatedSessionStore::detach_loop() {
  if (t_blocking != nullptr && t_blocking->owner == this) {
    delete t_blocking;
    t_blocking = nullptr;
    return;
  }
  LoopState* state = t_loop;
  if (state == nullptr || state->owner != this) return;
  t_loop = nullptr;
  for (auto& peer : state->peers) peer.link.reset();
  for (auto& p : state->pending) {
    if (p.done == nullptr) continue;
    http::VisitResult result;
    result.status = 503;
    http::VisitCallback* done = p.done;
    p.done = nullptr;
    done->on_visit(result);
  }
  delete state;
}

void ReplicatedSessionStore::apply_delta(const SessionDelta& delta) { memory_.apply(delta); }

void ReplicatedSessionStore::visit(const http::VisitRequest& request, http::VisitCallback& done) {
  if (t_blocking != nullptr && t_blocking->owner == this) {
    visit_blocking(*t_blocking, request, done);
    return;
  }
  LoopState* state = t_loop != nullptr && t_loop->owner == this ? t_loop : nullptr;
  if (state == nullptr) {
    unattached_.fetch_add(1, std::memory_order_relaxed);
    memory_.visit(request, done);  // served, not replicated (a model that did not attach)
    return;
  }
  CaptureVisit capture;
  memory_.visit(request, capture, state->record);
  state->frame.clear();
  append_delta_frame(state->frame, state->record);
  if (!options_.sync) {
    for (auto& peer : state->peers) peer.sender->send_delta(state->frame, std::nullopt);
    state->flush_all();
    capture.result.created_by = state->record.created_by;
    done.on_visit(capture.result);
    return;
  }
  const uint32_t slot = state->take_slot();
  {
    LoopState::Pending& p = state->pending[slot];
    p.done = &done;
    p.result = capture.result;
    p.created_by = state->record.created_by;
    p.remaining = 1;  // held by this call until every peer got the delta
  }
  for (auto& peer : state->peers) {
    if (peer.sender->live()) {
      state->pending[slot].remaining += 1;
      peer.sender->send_delta(state->frame, slot);
    } else {
      peer.sender->send_delta(state->frame, std::nullopt);
    }
  }
  state->flush_all();
  state->release(slot);
}

void ReplicatedSessionStore::visit_blocking(BlockingState& state, const http::VisitRequest& request,
                                            http::VisitCallback& done) {
  CaptureVisit capture;
  memory_.visit(request, capture, state.record);
  state.frame.clear();
  append_delta_frame(state.frame, state.record);
  peer_threads_->replicate(state.frame, options_.sync);
  capture.result.created_by = state.record.created_by;
  done.on_visit(capture.result);
}

http::SessionStoreStats ReplicatedSessionStore::stats() const {
  http::SessionStoreStats s = memory_.stats();
  auto get = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  const ReplicationCounters& c = counters_;
  s.counters = {{"bytes_out", get(c.bytes_out)},
                {"bytes_in", get(c.bytes_in)},
                {"deltas_out", get(c.deltas_out)},
                {"deltas_in", get(c.deltas_in)},
                {"deltas_dropped", get(c.deltas_dropped)},
                {"acks", get(c.acks)},
                {"ack_timeouts", get(c.ack_timeouts)},
                {"peers_down", get(c.peers_down)},
                {"streams_rejected", get(c.streams_rejected)},
                {"snapshot_bytes", get(c.snapshot_bytes)},
                {"snapshot_bytes_served", get(c.snapshot_bytes_served)},
                {"snapshot_peers_skipped", get(c.snapshot_peers_skipped)},
                {"resyncs", get(c.resyncs)},
                {"resync_bytes", get(c.resync_bytes)},
                {"resyncs_skipped", get(c.resyncs_skipped)},
                {"unattached", get(unattached_)}};
  return s;
}

}  // namespace iomb::store
