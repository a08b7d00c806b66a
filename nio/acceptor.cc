// Implementation of acceptor.h.
#include "nio/acceptor.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "nio/accept_pending.h"
#include "nio/event_loop.h"

namespace iomb::nio {
namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

Acceptor::Acceptor(ServerContext& context, UniqueFd listener, std::vector<EventLoop*> loops)
    : context_(context),
      listener_(std::move(listener)),
      loops_(std::move(loops)),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wakeup_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!epoll_) throw_errno("epoll_create1");
  if (!wakeup_) throw_errno("eventfd");
  if (set_nonblocking(listener_.get()) != 0) throw_errno("fcntl(O_NONBLOCK)");
  for (int fd : {listener_.get(), wakeup_.get()}) {
    epoll_event ev{};
    ev.events = EPOLLIN;  // level-triggered: a backlog left behind is reported again
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("epoll_ctl(ADD)");
  }
}

void Acceptor::run() {
  epoll_event events[2];
  while (!context_.stopping.load(std::memory_order_acquire)) {
    int n = ::epoll_wait(epoll_.get(), events, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == listener_.get()) accept_ready();
    }
  }
}

void Acceptor::stop() {
  uint64_t one = 1;
  while (::write(wakeup_.get(), &one, sizeof one) < 0 && errno == EINTR) {
  }
}

void Acceptor::accept_ready() {
  accept_pending(listener_.get(), spare_fd_, counters_, context_, [this](int fd) {
    loops_[next_loop_]->post_connection(fd);
    next_loop_ = (next_loop_ + 1) % loops_.size();
  });
}

}  // namespace iomb::nio
