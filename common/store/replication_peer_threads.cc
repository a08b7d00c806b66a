// Implementation of replication_peer_threads.h.
#include "common/store/replication_peer_threads.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "common/store/tcp_connect.h"

namespace iomb::store {
namespace {

constexpr int64_t kConnectTimeoutMs = 100;

void drain_eventfd(int fd) {
  uint64_t n;
  while (::read(fd, &n, sizeof n) > 0) {
  }
}

}  // namespace

void ReplicationPeerThreads::back_off(Peer& peer, int64_t ms) {
  // Wakes for queued deltas are ignored here (they were dropped, counted): only stop ends it.
  const int64_t until = now_ms_() + ms;
  for (;;) {
    const int64_t left = until - now_ms_();
    if (left <= 0) return;
    pollfd p{peer.wake.get(), POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(left));
    drain_eventfd(peer.wake.get());
    std::lock_guard lock(mutex_);
    if (stopping_) return;
  }
}

ReplicationPeerThreads::ReplicationPeerThreads(const std::vector<Endpoint>& peers,
                                               ReplicationCounters& counters, int64_t timeout_ms,
                                               std::function<int64_t()> now_ms,
                                               ReplicationSender::Resync resync)
    : timeout_ms_(timeout_ms), now_ms_(std::move(now_ms)) {
  for (const Endpoint& to : peers) {
    auto peer = std::make_unique<Peer>();
    peer->to = to;
    peer->sender = std::make_unique<ReplicationSender>(counters, static_cast<AckWaiter&>(*this),
                                                       timeout_ms_, now_ms_, resync);
    peer->wake = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    peers_.push_back(std::move(peer));
  }
  for (auto& peer : peers_) peer->thread = std::thread([this, p = peer.get()] { run(*p); });
}

ReplicationPeerThreads::~ReplicationPeerThreads() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  for (auto& peer : peers_) wake(*peer);
  for (auto& peer : peers_) peer->thread.join();
}

void ReplicationPeerThreads::wake(Peer& peer) {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(peer.wake.get(), &one, sizeof one);
}

void ReplicationPeerThreads::release(uint32_t slot) {
  Waiter& w = waiters_[slot];
  if (--w.remaining > 0) return;
  if (w.done != nullptr) {
    w.done->notify_one();
  } else {
    free_slots_.push_back(slot);  // its visit stopped waiting (the backstop below)
  }
}

void ReplicationPeerThreads::replicate(std::string_view frame, bool sync) {
  std::unique_lock lock(mutex_);
  if (!sync) {
    for (auto& peer : peers_) peer->sender->send_delta(frame, std::nullopt);
    lock.unlock();
    for (auto& peer : peers_) wake(*peer);
    return;
  }
  uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<uint32_t>(waiters_.size());
    waiters_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  std::condition_variable done;
  waiters_[slot] = Waiter{1, &done};  // held by this call until every sender has the delta
  for (auto& peer : peers_) {
    if (peer->sender->live()) {
      ++waiters_[slot].remaining;
      peer->sender->send_delta(frame, slot);
    } else {
      peer->sender->send_delta(frame, std::nullopt);
    }
  }
  --waiters_[slot].remaining;
  for (auto& peer : peers_) wake(*peer);
  // The senders' ticks release the slot by the ack timeout; the backstop only guards against
  // a peer thread that cannot run.
  const auto backstop =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_ + 10 * kTickMs);
  done.wait_until(lock, backstop, [&] { return waiters_[slot].remaining == 0; });
  waiters_[slot].done = nullptr;
  if (waiters_[slot].remaining == 0) free_slots_.push_back(slot);
}

void ReplicationPeerThreads::run(Peer& peer) {
  int64_t backoff_ms = kReconnectMinMs;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    UniqueFd fd = connect_with_timeout(peer.to, kConnectTimeoutMs);
    if (!fd) {
      back_off(peer, backoff_ms);
      backoff_ms = std::min(backoff_ms * 2, kReconnectMaxMs);
      continue;
    }
    backoff_ms = kReconnectMinMs;
    serve(peer, fd.get());
  }
}

void ReplicationPeerThreads::serve(Peer& peer, int fd) {
  ReplicationSender& sender = *peer.sender;
  {
    std::lock_guard lock(mutex_);
    sender.on_connected();
  }
  char buf[16 * 1024];
  int64_t next_tick = now_ms_() + kTickMs;
  for (;;) {
    bool want_write;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      want_write = sender.pending_output() > 0;
    }
    pollfd p[2] = {{fd, static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0},
                   {peer.wake.get(), POLLIN, 0}};
    const int64_t wait = std::max<int64_t>(0, next_tick - now_ms_());
    if (::poll(p, 2, static_cast<int>(wait)) < 0 && errno != EINTR) return;
    if (p[1].revents & POLLIN) drain_eventfd(peer.wake.get());
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    bool lost = false;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
          sender.on_input(std::string_view(buf, static_cast<size_t>(n)));
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        lost = !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
        break;
      }
    }
    while (!lost && sender.pending_output() > 0) {
      std::string_view out = sender.output();
      ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        sender.consume_output(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      lost = !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
      break;
    }
    const int64_t now = now_ms_();
    if (!lost && now >= next_tick) {
      sender.on_tick(now);
      next_tick = now + kTickMs;
    }
    if (lost) {
      sender.on_disconnected();
      return;
    }
  }
}

}  // namespace iomb::store
