// Implementation of event_loop.h.
#include "nio/event_loop.h"

#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <new>
#include <optional>
#include <system_error>

#include "nio/accept_pending.h"
#include "nio/connection.h"

namespace iomb::nio {
namespace {

// epoll_event.data.u64 of the loop's own descriptors; connections store their (aligned)
// address, which is never this small; store links their address with bit 0 set.
constexpr uint64_t kWakeupTag = 1;
constexpr uint64_t kTimerTag = 2;
constexpr uint64_t kListenerTag = 3;
constexpr uint64_t kListenerRetryTag = 4;
constexpr uint64_t kStoreTickTag = 5;

// One epoll_wait returns up to this many events: with many busy connections one syscall
// serves many of them.
constexpr int kMaxEvents = 512;

// A lingering close (HTTP, after a response that closes) discards input for at most this long.
constexpr uint64_t kLingerMs = 2000;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void add_fd(int epoll_fd, int fd, uint64_t tag, uint32_t extra = 0) {
  epoll_event ev{};
  ev.events = EPOLLIN | extra;
  ev.data.u64 = tag;
  if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("epoll_ctl(ADD)");
}

}  // namespace

EventLoop::EventLoop(ServerContext& context)
    : context_(context),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      store_io_(epoll_.get(), kStoreTickTag),
      wakeup_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      read_buffer_(std::make_unique_for_overwrite<char[]>(kReadBufferBytes)) {
  if (!epoll_) throw_errno("epoll_create1");
  if (!wakeup_) throw_errno("eventfd");
  add_fd(epoll_.get(), wakeup_.get(), kWakeupTag);
  const uint64_t idle_ms = context_.options.idle_timeout_ms;
  const bool http = context_.options.protocol == Protocol::kHttp;
  if (idle_ms > 0 || http) {
    // Coarse ticks (an eighth of the timeout, 1 ms..1 s): a connection closes between the
    // timeout and one tick after it, and the loop wakes a few times per timeout, not per event.
    // HTTP without an idle timeout still ticks (4 Hz) to bound lingering closes.
    uint64_t tick_ms = idle_ms > 0 ? std::clamp<uint64_t>(idle_ms / 8, 1, 1000) : 250;
    if (idle_ms > 0) idle_ticks_ = (idle_ms + tick_ms - 1) / tick_ms + 1;
    linger_ticks_ = (kLingerMs + tick_ms - 1) / tick_ms + 1;
    timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!timer_) throw_errno("timerfd_create");
    itimerspec spec{};
    spec.it_interval.tv_sec = static_cast<time_t>(tick_ms / 1000);
    spec.it_interval.tv_nsec = static_cast<long>(tick_ms % 1000 * 1000000);
    spec.it_value = spec.it_interval;
    if (::timerfd_settime(timer_.get(), 0, &spec, nullptr) != 0) throw_errno("timerfd_settime");
    add_fd(epoll_.get(), timer_.get(), kTimerTag);
  }
}

EventLoop::~EventLoop() { close_all(); }

void EventLoop::set_listener(UniqueFd listener, bool shared) {
  listener_ = std::move(listener);
  listener_shared_ = shared;
  if (set_nonblocking(listener_.get()) != 0) throw_errno("fcntl(O_NONBLOCK)");
  // Level-triggered whatever --trigger says: a backlog left behind (accept cap, EMFILE) must
  // be reported again. A socket shared with other loops wakes only one of them per event.
  add_fd(epoll_.get(), listener_.get(), kListenerTag,
         shared ? static_cast<uint32_t>(EPOLLEXCLUSIVE) : 0u);
}

void EventLoop::run() {
  // Unbound again when run() ends: the server then holds the loop alone (close_all() after
  // every thread joined).
  LoopThread::Binding binding(loop_thread_);
  // Detaches when run() ends, on this thread: visits still in flight complete (503) while the
  // connections waiting for them are still open.
  std::optional<http::LoopStoreScope> store_scope;
  if (context_.loop_store != nullptr) store_scope.emplace(*context_.loop_store, store_io_);
  epoll_event events[kMaxEvents];
  while (!context_.stopping.load(std::memory_order_acquire)) {
    int n = ::epoll_wait(epoll_.get(), events, kMaxEvents, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      uint64_t tag = events[i].data.u64;
      if (tag == kWakeupTag) {
        on_wakeup();
      } else if (tag == kTimerTag) {
        on_tick();
      } else if (tag == kListenerTag) {
        accept_ready();
      } else if (tag == kListenerRetryTag) {
        resume_listener();
      } else if (tag == kStoreTickTag) {
        store_io_.on_tick_ready();
      } else if (!NioStoreIo::dispatch(tag, events[i].events)) {
        auto* connection = static_cast<Connection*>(events[i].data.ptr);
        try {
          connection->handle_events(events[i].events);
        } catch (const std::bad_alloc&) {
          // Out of memory serving this connection (its output buffer could not grow, say):
          // shed it, keep the loop and every other connection.
          connection->close(Counter::kErrorsOther);
        }
      }
    }
    // Connections closed in this batch are freed only now: a later event of the same batch
    // may still point at them (they ignore it once closed).
    destroy_pending();
  }
}

void EventLoop::wake() {
  uint64_t one = 1;
  // EAGAIN means the counter is saturated, i.e. a wakeup is pending anyway.
  while (::write(wakeup_.get(), &one, sizeof one) < 0 && errno == EINTR) {
  }
}

void EventLoop::post_connection(int fd) {
  bool was_empty;
  {
    std::lock_guard lock(inbox_mutex_);
    was_empty = posted_fds_.empty() && done_jobs_ == nullptr;
    posted_fds_.push_back(fd);
  }
  // One eventfd write per batch: the loop reads the eventfd before it drains the inbox.
  if (was_empty) wake();
}

void EventLoop::post_job_done(Job* job) {
  bool was_empty;
  {
    std::lock_guard lock(inbox_mutex_);
    was_empty = posted_fds_.empty() && done_jobs_ == nullptr;
    job->next_ = done_jobs_;
    done_jobs_ = job;
  }
  if (was_empty) wake();
}

void EventLoop::on_wakeup() {
  IOMB_CHECK_IN_LOOP_THREAD(loop_thread_);
  uint64_t value;
  while (::read(wakeup_.get(), &value, sizeof value) < 0 && errno == EINTR) {
  }
  Job* jobs;
  {
    std::lock_guard lock(inbox_mutex_);
    taken_fds_.swap(posted_fds_);
    jobs = std::exchange(done_jobs_, nullptr);
  }
  for (int fd : taken_fds_) adopt(fd);
  taken_fds_.clear();
  // Reverse the LIFO so completions are handled in the order they finished.
  Job* ordered = nullptr;
  while (jobs) ordered = std::exchange(jobs, std::exchange(jobs->next_, ordered));
  while (ordered) {
    Job* job = std::exchange(ordered, ordered->next_);
    job->owner_->on_job_done(*job);
  }
}

void EventLoop::on_tick() {
  uint64_t expirations = 0;
  if (::read(timer_.get(), &expirations, sizeof expirations) != sizeof expirations) return;
  timers_.advance(timers_.now() + expirations,
                  [](TimerNode& node) { static_cast<Connection&>(node).on_timer(); });
}

void EventLoop::accept_ready() {
  accept_pending(listener_.get(), spare_fd_, counters_, context_, [this](int fd) { adopt(fd); });
  if (!spare_fd_.armed()) pause_listener();
}

// Out of descriptors with the spare lost (another loop's accept took the slot it freed): the
// level-triggered listener would report the same backlog forever. Stop polling it and look
// again in 10 ms; waiting clients stay in the kernel's backlog until a descriptor frees.
void EventLoop::pause_listener() {
  if (!listener_retry_) {
    listener_retry_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!listener_retry_) return;  // no descriptor for the timer either: keep polling
    add_fd(epoll_.get(), listener_retry_.get(), kListenerRetryTag);
  }
  // Removed rather than modified: EPOLL_CTL_MOD is refused on an EPOLLEXCLUSIVE entry.
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listener_.get(), nullptr);  // paused
  itimerspec once{};
  once.it_value.tv_nsec = 10'000'000;
  ::timerfd_settime(listener_retry_.get(), 0, &once, nullptr);
}

void EventLoop::resume_listener() {
  uint64_t expirations;
  while (::read(listener_retry_.get(), &expirations, sizeof expirations) < 0 && errno == EINTR) {
  }
  spare_fd_.rearm();
  epoll_event ev{};
  ev.events = EPOLLIN | (listener_shared_ ? static_cast<uint32_t>(EPOLLEXCLUSIVE) : 0u);
  ev.data.u64 = kListenerTag;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listener_.get(), &ev);
}

void EventLoop::adopt(int fd) {
  IOMB_CHECK_IN_LOOP_THREAD(loop_thread_);
  UniqueFd owned(fd);
  if (context_.stopping.load(std::memory_order_relaxed)) {
    counters_.add_local(Counter::kClosedByServer);
    context_.connections.release();
    return;
  }
  set_nodelay(fd);
  auto* c = new Connection(*this, std::move(owned), context_.make_handler());
  c->index_ = connections_.size();
  connections_.push_back(c);
  counters_.add_local(Counter::kAccepted);
  c->start();
}

void EventLoop::destroy_later(Connection* c) {
  IOMB_CHECK_IN_LOOP_THREAD(loop_thread_);
  to_destroy_.push_back(c);
}

void EventLoop::remove(Connection* c) {
  Connection* last = connections_.back();
  connections_[c->index_] = last;
  last->index_ = c->index_;
  connections_.pop_back();
  delete c;
}

void EventLoop::destroy_pending() {
  for (Connection* c : to_destroy_) remove(c);
  to_destroy_.clear();
}

void EventLoop::close_all() {
  destroy_pending();
  for (Connection* c : connections_) {
    c->close(Counter::kClosedByServer);
    delete c;
  }
  connections_.clear();
  to_destroy_.clear();
  // Sockets handed over but never adopted, and completions nobody waits for any more.
  std::lock_guard lock(inbox_mutex_);
  for (int fd : posted_fds_) {
    ::close(fd);
    counters_.add_local(Counter::kClosedByServer);
    context_.connections.release();
  }
  posted_fds_.clear();
  done_jobs_ = nullptr;
}

}  // namespace iomb::nio
