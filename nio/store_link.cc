// Implementation of store_link.h: NioStoreLink, one store connection on the loop's epoll.
#include "nio/store_link.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "common/socket_ops.h"

namespace iomb::nio {
namespace {

constexpr uint64_t kLinkTagBit = 1;
constexpr size_t kReadBufferBytes = 64 * 1024;
// Full buffers read per readiness report (level-triggered: the rest is reported again), so
// one busy store connection cannot starve the loop's clients.
constexpr int kMaxReadsPerEvent = 4;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

class NioStoreLink final : public store::StoreLink {
 public:
  NioStoreLink(NioStoreIo& io, store::Endpoint to, store::StoreProtocol& protocol)
      : io_(io), to_(std::move(to)), protocol_(protocol) {}
  ~NioStoreLink() override { io_.remove(this); }  // fd_ closes itself (and leaves the epoll)
  NioStoreLink(const NioStoreLink&) = delete;
  NioStoreLink& operator=(const NioStoreLink&) = delete;

  bool connected() const override { return state_ == State::kConnected; }

  void flush() override {
    // Inside a protocol callback the caller sends once the callback returned.
    if (in_protocol_ == 0) send_output();
  }

  // `report_failure`: an immediate failure calls on_disconnected() (not from open_link(),
  // where nothing can be in flight yet and the store does not hold the link yet).
  void start_connect(bool report_failure) {
    fd_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    bool started = false;
    if (fd_) {
      set_nodelay(fd_.get());
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(to_.port);
      started = ::inet_pton(AF_INET, to_.host.c_str(), &addr.sin_addr) == 1 &&
                (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 ||
                 errno == EINPROGRESS);
    }
    if (started) {
      // Even a connect that completed at once is reported through EPOLLOUT, so on_connected()
      // always runs from the loop, never inside open_link().
      state_ = State::kConnecting;
      connect_deadline_ms_ = store::monotonic_ms() + kStoreConnectTimeoutMs;
      if (watch(EPOLLOUT)) return;
    }
    if (report_failure) {
      fail();
    } else {
      close_and_back_off();
    }
  }

  void on_events(uint32_t events) {
    if (state_ == State::kConnecting) {
      if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
      int err = 0;
      socklen_t len = sizeof err;
      if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0 ||
          (events & (EPOLLERR | EPOLLHUP))) {
        fail();
        return;
      }
      state_ = State::kConnected;
      backoff_ms_ = 0;
      {
        InProtocol guard(in_protocol_);
        protocol_.on_connected();
      }
      send_output();  // the handshake, then whatever waited, and EPOLLIN from now on
      return;
    }
    if (state_ != State::kConnected) return;
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && !read_input()) return;
    send_output();
  }

  void on_tick(int64_t now) {
    if (state_ == State::kDown && now >= retry_at_ms_) {
      start_connect(true);
    } else if (state_ == State::kConnecting && now >= connect_deadline_ms_) {
      fail();
    }
    {
      InProtocol guard(in_protocol_);
      protocol_.on_tick(now);
    }
    send_output();
  }

 private:
  enum class State { kDown, kConnecting, kConnected };

  struct InProtocol {
    explicit InProtocol(int& depth) : depth_(depth) { ++depth_; }
    ~InProtocol() { --depth_; }
    int& depth_;
  };

  // Returns false when the link failed (EOF or error).
  bool read_input() {
    char* buf = io_.read_buffer_.get();
    for (int reads = 0; reads < kMaxReadsPerEvent; ++reads) {
      ssize_t n = ::recv(fd_.get(), buf, kReadBufferBytes, MSG_DONTWAIT);
      if (n > 0) {
        {
          InProtocol guard(in_protocol_);
          protocol_.on_input(std::string_view(buf, static_cast<size_t>(n)));
        }
        if (static_cast<size_t>(n) < kReadBufferBytes) return true;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      fail();
      return false;
    }
    return true;
  }

  void send_output() {
    if (state_ != State::kConnected) return;  // output waits for the connect
    while (protocol_.pending_output() > 0) {
      std::string_view out = protocol_.output();
      ssize_t n = ::send(fd_.get(), out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) {
        protocol_.consume_output(static_cast<size_t>(n));
        continue;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      fail();
      return;
    }
    if (!watch(EPOLLIN | EPOLLRDHUP | (protocol_.pending_output() > 0 ? EPOLLOUT : 0u))) fail();
  }

  // Registers (or changes) the socket's interest; false when epoll refuses.
  bool watch(uint32_t events) {
    if (events == registered_) return true;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = reinterpret_cast<uintptr_t>(this) | kLinkTagBit;
    int op = registered_ == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (::epoll_ctl(io_.epoll_fd_, op, fd_.get(), &ev) != 0) return false;
    registered_ = events;
    return true;
  }

  void close_and_back_off() {
    fd_.reset();  // also leaves the epoll set (the fd is never duplicated)
    registered_ = 0;
    state_ = State::kDown;
    backoff_ms_ = backoff_ms_ == 0 ? store::kReconnectMinMs
                                   : std::min(backoff_ms_ * 2, store::kReconnectMaxMs);
    retry_at_ms_ = store::monotonic_ms() + backoff_ms_;
  }

  void fail() {
    close_and_back_off();
    InProtocol guard(in_protocol_);
    protocol_.on_disconnected();
  }

  NioStoreIo& io_;
  const store::Endpoint to_;
  store::StoreProtocol& protocol_;
  UniqueFd fd_;
  State state_ = State::kDown;
  uint32_t registered_ = 0;  // 0: not in the epoll set
  int64_t backoff_ms_ = 0;
  int64_t retry_at_ms_ = 0;
  int64_t connect_deadline_ms_ = 0;
  int in_protocol_ = 0;  // protocol callbacks running (they may call flush())
};

NioStoreIo::NioStoreIo(int epoll_fd, uint64_t tick_tag)
    : epoll_fd_(epoll_fd), tick_tag_(tick_tag) {}

NioStoreIo::~NioStoreIo() = default;

std::unique_ptr<store::StoreLink> NioStoreIo::open_link(const store::Endpoint& to,
                                                        store::StoreProtocol& protocol) {
  auto link = std::make_unique<NioStoreLink>(*this, to, protocol);
  add(link.get());
  link->start_connect(false);
  return link;
}

bool NioStoreIo::dispatch(uint64_t tag, uint32_t events) {
  if (!(tag & kLinkTagBit)) return false;
  reinterpret_cast<NioStoreLink*>(tag & ~kLinkTagBit)->on_events(events);
  return true;
}

void NioStoreIo::on_tick_ready() {
  uint64_t expirations;
  if (::read(tick_timer_.get(), &expirations, sizeof expirations) != sizeof expirations) return;
  const int64_t now = store::monotonic_ms();
  // By index: a tick only completes visits, which never open or close links.
  for (size_t i = 0; i < links_.size(); ++i) links_[i]->on_tick(now);
}

void NioStoreIo::add(NioStoreLink* link) {
  if (!tick_timer_) {
    tick_timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!tick_timer_) throw_errno("timerfd_create");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tick_tag_;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, tick_timer_.get(), &ev) != 0) {
      throw_errno("epoll_ctl(ADD)");
    }
    read_buffer_ = std::make_unique_for_overwrite<char[]>(kReadBufferBytes);
  }
  if (links_.empty()) {
    itimerspec spec{};
    spec.it_interval.tv_nsec = store::kTickMs * 1'000'000;
    spec.it_value = spec.it_interval;
    if (::timerfd_settime(tick_timer_.get(), 0, &spec, nullptr) != 0) {
      throw_errno("timerfd_settime");
    }
  }
  links_.push_back(link);
}

void NioStoreIo::remove(NioStoreLink* link) {
  links_.erase(std::find(links_.begin(), links_.end(), link));
  if (links_.empty() && tick_timer_) {
    itimerspec off{};
    ::timerfd_settime(tick_timer_.get(), 0, &off, nullptr);
  }
}

}  // namespace iomb::nio
