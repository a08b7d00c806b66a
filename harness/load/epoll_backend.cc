// The epoll load backend (see load_backends.h): non-blocking sockets, one level-triggered
// epoll set per load thread, a send() per connection with new output and recv() until EAGAIN
// per readable connection. Costs about two syscalls per message; used where io_uring is not
// available (or with --client-io epoll, to compare).
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include "common/unique_fd.h"
#include "harness/load/load_backends.h"
#include "harness/load/load_worker.h"

namespace iomb::harness {
namespace {

constexpr int kMaxEvents = 256;
constexpr int kMaxReadsPerEvent = 4;  // level-triggered: the rest is picked up next round

class EpollLoop {
 public:
  explicit EpollLoop(LoadWorker& w) : w_(w), ep_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (!ep_) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  }
  ~EpollLoop() { w_.close_sockets(); }
  EpollLoop(const EpollLoop&) = delete;
  EpollLoop& operator=(const EpollLoop&) = delete;

  void run() {
    std::vector<epoll_event> events(kMaxEvents);
    for (int64_t now = clock_ns(); w_.tick(now);) {
      flush(now);
      int64_t budget = w_.wait_budget_ns(now);
      int n = wait(events, budget);
      now = clock_ns();
      for (int k = 0; k < n; ++k) handle(events[k], now);
    }
  }

 private:
  // epoll_pwait2 (Linux 5.11) for a nanosecond timeout: open-loop send times need better
  // than epoll_wait's milliseconds. Older kernels: epoll_wait, rounded up.
  int wait(std::vector<epoll_event>& events, int64_t budget_ns) {
    int n;
    if (have_pwait2_) {
      timespec ts{budget_ns / 1'000'000'000, budget_ns % 1'000'000'000};
      n = ::epoll_pwait2(ep_.get(), events.data(), kMaxEvents, &ts, nullptr);
      if (n < 0 && errno == ENOSYS) {
        have_pwait2_ = false;
        return 0;
      }
    } else {
      n = ::epoll_wait(ep_.get(), events.data(), kMaxEvents,
                       static_cast<int>((budget_ns + 999'999) / 1'000'000));
    }
    if (n < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "epoll_wait");
    return n < 0 ? 0 : n;
  }

  void control(ClientConnection& c, size_t index, int op, uint32_t mask) {
    epoll_event ev{};
    ev.events = mask;
    ev.data.u64 = index;
    ::epoll_ctl(ep_.get(), op, c.fd, &ev);
  }

  void flush(int64_t now) {
    auto& dirty = w_.dirty();
    auto& conns = w_.connections();
    // Handlers may append to the list; index-based so appended entries are visited too.
    for (size_t k = 0; k < dirty.size(); ++k) {
      size_t i = dirty[k];
      ClientConnection& c = conns[i];
      c.dirty = false;
      if (c.state == ConnState::kNeedConnect) {
        if (w_.wants_connect()) start_connect(i, c, now);
      } else if (c.state == ConnState::kOpen) {
        write_out(i, c, now);
      }
    }
    dirty.clear();
  }

  void start_connect(size_t i, ClientConnection& c, int64_t now) {
    if (!w_.open_socket(c, /*non_blocking=*/true, now)) return;
    int rc = ::connect(c.fd, w_.address(), w_.address_len());
    if (rc == 0) {
      control(c, i, EPOLL_CTL_ADD, EPOLLIN);
      w_.on_connected(c, now);
    } else if (errno == EINPROGRESS) {
      control(c, i, EPOLL_CTL_ADD, EPOLLOUT);
    } else {
      close_with(c, errno, now);
    }
  }

  void write_out(size_t i, ClientConnection& c, int64_t now) {
    for (;;) {
      auto out = c.session->output();
      if (out.empty()) break;
      ssize_t n = ::send(c.fd, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        w_.on_sent(c, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!c.want_write) control(c, i, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
        c.want_write = true;
        return;
      }
      close_with(c, n < 0 ? errno : EPIPE, now);
      return;
    }
    if (c.want_write) control(c, i, EPOLL_CTL_MOD, EPOLLIN);
    c.want_write = false;
    if (c.close_wanted && !c.shutdown_sent) {
      ::shutdown(c.fd, SHUT_WR);
      c.shutdown_sent = true;
      c.state = ConnState::kClosing;
    }
  }

  void handle(const epoll_event& ev, int64_t now) {
    size_t i = static_cast<size_t>(ev.data.u64);
    ClientConnection& c = w_.connections()[i];
    if (c.fd < 0) return;
    if (c.state == ConnState::kConnecting) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        close_with(c, err, now);
        return;
      }
      control(c, i, EPOLL_CTL_MOD, EPOLLIN);
      w_.on_connected(c, now);
      return;
    }
    if (ev.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
      for (int r = 0; r < kMaxReadsPerEvent; ++r) {
        ssize_t n = ::recv(c.fd, c.recv_buf.get(), c.recv_size, MSG_DONTWAIT);
        if (n > 0) {
          w_.on_received(c, c.recv_buf.get(), static_cast<size_t>(n), now);
          if (static_cast<size_t>(n) < c.recv_size) break;
          continue;
        }
        if (n == 0) {
          close_with(c, 0, now);
          return;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        close_with(c, errno, now);
        return;
      }
    }
    if (ev.events & EPOLLOUT) w_.mark_dirty(c);
  }

  void close_with(ClientConnection& c, int err, int64_t now) {
    ::close(c.fd);  // also removes it from the epoll set
    c.fd = -1;
    w_.on_socket_closed(c, err, now);
  }

  LoadWorker& w_;
  UniqueFd ep_;
  bool have_pwait2_ = true;
};

}  // namespace

void run_epoll_worker(LoadWorker& worker) {
  EpollLoop loop(worker);
  loop.run();
}

}  // namespace iomb::harness
