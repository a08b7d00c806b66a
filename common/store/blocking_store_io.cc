// Implementation of blocking_store_io.h: the process-wide socket pools (one per endpoint) and
// the link that borrows from them for one flush().
#include "common/store/blocking_store_io.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/store/tcp_connect.h"
#include "common/unique_fd.h"

namespace iomb::store {
namespace {

// A socket's peer closed it, or it holds bytes nobody asked for: either way it is unusable.
bool still_usable(int fd) {
  char byte;
  ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// The sockets of one endpoint, shared by every thread of the process.
class EndpointPool {
 public:
  explicit EndpointPool(Endpoint to) : to_(std::move(to)) {}

  bool in_backoff(int64_t now) const { return now < retry_at_ms_.load(std::memory_order_relaxed); }

  enum class Borrow { kSocket, kBackoff, kBusy };
  // A connected socket (`fresh`: just connected), kBackoff (the endpoint is down), or kBusy
  // (every socket is lent; try again later).
  Borrow borrow(UniqueFd& out, bool& fresh) {
    std::unique_lock lock(mutex_);
    while (!idle_.empty()) {
      UniqueFd fd = std::move(idle_.back());
      idle_.pop_back();
      if (still_usable(fd.get())) {
        out = std::move(fd);
        fresh = false;
        return Borrow::kSocket;
      }
      --open_;  // closed by the server while idle: so are the others, most likely
      drop_idle_locked();
    }
    if (in_backoff(monotonic_ms())) return Borrow::kBackoff;
    if (open_ >= kSocketsPerEndpoint) return Borrow::kBusy;
    ++open_;
    lock.unlock();
    UniqueFd fd = connect_with_timeout(to_, kBlockingConnectTimeoutMs);
    lock.lock();
    if (!fd) {
      --open_;
      backoff_ms_ = backoff_ms_ == 0 ? kReconnectMinMs : std::min(backoff_ms_ * 2, kReconnectMaxMs);
      retry_at_ms_.store(monotonic_ms() + backoff_ms_, std::memory_order_relaxed);
      lock.unlock();
      freed_.notify_all();  // waiters see the backoff at once
      return Borrow::kBackoff;
    }
    backoff_ms_ = 0;
    out = std::move(fd);
    fresh = true;
    return Borrow::kSocket;
  }

  // Waits at most `ms` for a socket to be given back (after kBusy).
  void wait_for_return(int64_t ms) {
    std::unique_lock lock(mutex_);
    if (!idle_.empty() || open_ < kSocketsPerEndpoint) return;
    freed_.wait_for(lock, std::chrono::milliseconds(ms));
  }

  // `healthy`: the socket's reply stream is in step (nothing owed), so it may be lent again.
  // `lost`: it failed with an EOF or error, so the idle ones are suspect too.
  void give_back(UniqueFd fd, bool healthy, bool lost) {
    {
      std::lock_guard lock(mutex_);
      if (healthy) {
        idle_.push_back(std::move(fd));
      } else {
        --open_;
        fd.reset();
        if (lost) drop_idle_locked();
      }
    }
    freed_.notify_one();
  }

 private:
  void drop_idle_locked() {
    open_ -= static_cast<int>(idle_.size());
    idle_.clear();
  }

  const Endpoint to_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<UniqueFd> idle_;
  int open_ = 0;  // lent, idle, or being connected
  int64_t backoff_ms_ = 0;
  std::atomic<int64_t> retry_at_ms_{0};
};

EndpointPool& pool_for(const Endpoint& to) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<EndpointPool>> pools;  // never shrinks
  std::lock_guard lock(mutex);
  auto& pool = pools[to.host + ":" + std::to_string(to.port)];
  if (!pool) pool = std::make_unique<EndpointPool>(to);
  return *pool;
}

class BlockingStoreLink final : public StoreLink {
 public:
  BlockingStoreLink(EndpointPool& pool, StoreProtocol& protocol)
      : pool_(pool), protocol_(protocol) {}

  bool connected() const override { return !pool_.in_backoff(monotonic_ms()); }

  void flush() override {
    if (in_flush_) return;  // a protocol callback asked: the running flush sends it
    in_flush_ = true;
    run_flush();
    in_flush_ = false;
  }

 private:
  enum class End { kDone, kOutOfStep, kLost };

  void run_flush() {
    if (protocol_.pending_output() == 0 && protocol_.idle()) return;
    const int64_t give_up_at = monotonic_ms() + kMaxFlushMs;
    UniqueFd fd;
    bool fresh = false;
    for (;;) {
      EndpointPool::Borrow got = pool_.borrow(fd, fresh);
      if (got == EndpointPool::Borrow::kSocket) break;
      if (got == EndpointPool::Borrow::kBackoff) {
        protocol_.on_disconnected();
        return;
      }
      pool_.wait_for_return(kTickMs);
      const int64_t now = monotonic_ms();
      protocol_.on_tick(now);
      if (!protocol_.has_waiters() || now >= give_up_at) {
        protocol_.on_disconnected();  // drops the output of the requests the tick failed
        return;
      }
    }
    if (fresh) send_handshake_first();
    End end = exchange(fd.get(), give_up_at);
    if (end != End::kDone) {
      first_bytes_.clear();
      protocol_.on_disconnected();
    }
    pool_.give_back(std::move(fd), end == End::kDone, end == End::kLost);
  }

  // The output already pending goes out after the handshake on_connected() appends.
  void send_handshake_first() {
    protocol_.take_output(held_);
    protocol_.on_connected();
    first_bytes_.assign(protocol_.output());
    protocol_.consume_output(first_bytes_.size());
    first_bytes_.append(held_);
    held_.clear();
  }

  // Sends the held bytes (handshake first), then the protocol's output, reading replies as
  // they come, until nothing is owed.
  End exchange(int fd, int64_t give_up_at) {
    int64_t next_tick = monotonic_ms() + kTickMs;
    for (;;) {
      const bool want_write = !first_bytes_.empty() || protocol_.pending_output() > 0;
      if (!want_write && protocol_.idle()) return End::kDone;
      pollfd p{fd, static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0};
      const int64_t wait = std::max<int64_t>(0, next_tick - monotonic_ms());
      int ready = ::poll(&p, 1, static_cast<int>(wait));
      if (ready < 0 && errno != EINTR) return End::kLost;
      if (ready > 0) {
        if ((p.revents & POLLOUT) && !send_some(fd)) return End::kLost;
        if ((p.revents & (POLLIN | POLLHUP | POLLERR)) && !receive_some(fd)) return End::kLost;
      }
      const int64_t now = monotonic_ms();
      if (now >= next_tick) {
        next_tick = now + kTickMs;
        const bool owed = protocol_.has_waiters();
        protocol_.on_tick(now);
        // The protocol failed what was overdue: replies still on their way belong to nobody.
        if (owed && !protocol_.has_waiters()) return End::kOutOfStep;
        if (now >= give_up_at) return End::kOutOfStep;
      }
    }
  }

  bool send_some(int fd) {
    std::string_view out = first_bytes_.empty() ? protocol_.output() : first_bytes_;
    ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK;
    if (!first_bytes_.empty()) {
      first_bytes_.erase(0, static_cast<size_t>(n));
    } else {
      protocol_.consume_output(static_cast<size_t>(n));
    }
    return true;
  }

  bool receive_some(int fd) {
    // On the heap with the link: bio's connection threads have small stacks.
    char* buf = read_buffer_;
    for (;;) {
      ssize_t n = ::recv(fd, buf, sizeof read_buffer_, MSG_DONTWAIT);
      if (n > 0) {
        protocol_.on_input(std::string_view(buf, static_cast<size_t>(n)));
        if (static_cast<size_t>(n) < sizeof read_buffer_) return true;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      return false;  // EOF or error
    }
  }

  EndpointPool& pool_;
  StoreProtocol& protocol_;
  bool in_flush_ = false;
  // A fresh socket: the output pending when it came, then the handshake followed by it, to
  // be sent before the protocol's output (both keep their capacity).
  std::string held_;
  std::string first_bytes_;
  char read_buffer_[16 * 1024];
};

}  // namespace

std::unique_ptr<StoreLink> BlockingStoreIo::open_link(const Endpoint& to, StoreProtocol& protocol) {
  return std::make_unique<BlockingStoreLink>(pool_for(to), protocol);
}

}  // namespace iomb::store
