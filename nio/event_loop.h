// EventLoop: one epoll instance and everything it drives on one thread: its connections, an
// optional listening socket (reactors mode), a wakeup eventfd (new connections from the
// acceptor, finished jobs from the worker pool, stop), one timerfd ticking the timer wheel
// (idle timeouts, HTTP request deadlines and lingering closes), the shared read buffer and its
// counters; and the loop's session-store links (NioStoreIo), attached to the store while run()
// runs when the context names one.
// run() and every other member run on the loop thread, except the ones marked "any thread".
#pragma once

#include <sys/epoll.h>

#include <array>
#include <memory>
#include <mutex>
#include <vector>

#include "common/counters.h"
#include "common/loop_thread.h"
#include "common/socket_ops.h"
#include "common/unique_fd.h"
#include "nio/server_context.h"
#include "nio/store_link.h"
#include "nio/timer_wheel.h"

namespace iomb::nio {

class Connection;

class EventLoop {
 public:
  // Larger than a pipelined burst of the benchmark's biggest messages (16 x 4 KiB): in ET mode
  // a read that fills the buffer costs one more recv(), which then often returns EAGAIN.
  static constexpr size_t kReadBufferBytes = 128 * 1024;

  // Setup errors throw std::system_error.
  explicit EventLoop(ServerContext& context);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Reactors mode: this loop accepts on `listener`, its own SO_REUSEPORT socket, or (`shared`)
  // a duplicate of a socket other loops accept on too.
  void set_listener(UniqueFd listener, bool shared = false);

  // Serves until the context's stopping flag is seen. Connections stay open afterwards: the
  // server closes them with close_all() once every thread that may touch them has joined.
  void run();
  void close_all();

  // Any thread: wakes run() (to notice stopping, posted connections or finished jobs).
  void wake();
  // Any thread: hands an accepted socket (already admitted by the connection budget) to this loop.
  void post_connection(int fd);
  // Any thread (a worker): a job of one of this loop's connections has run.
  void post_job_done(Job* job);

  CounterSnapshot counters() const { return counters_.snapshot(); }

  // For Connection (loop thread).
  ServerContext& context() { return context_; }
  Counters& counters_local() { return counters_; }
  int epoll_fd() const { return epoll_.get(); }
  std::span<char> read_buffer() { return {read_buffer_.get(), kReadBufferBytes}; }
  TimerWheel& timers() { return timers_; }
  uint64_t idle_ticks() const { return idle_ticks_; }
  uint64_t linger_ticks() const { return linger_ticks_; }
  void destroy_later(Connection* c);

 private:
  void on_wakeup();
  void on_tick();
  void accept_ready();
  void pause_listener();
  void resume_listener();
  void adopt(int fd);
  void remove(Connection* c);
  void destroy_pending();

  ServerContext& context_;
  LoopThread loop_thread_;  // bound while run() runs
  Counters counters_;
  UniqueFd epoll_;
  NioStoreIo store_io_;  // its links go (store detach, end of run()) before the connections
  UniqueFd wakeup_;      // eventfd
  UniqueFd timer_;       // timerfd, only with --idle-timeout-ms
  UniqueFd listener_;
  bool listener_shared_ = false;
  SpareFd spare_fd_;
  UniqueFd listener_retry_;  // one-shot timerfd: listener paused after losing the spare fd
  std::unique_ptr<char[]> read_buffer_;
  TimerWheel timers_;
  uint64_t idle_ticks_ = 0;    // idle timeout in wheel ticks (0 = none)
  uint64_t linger_ticks_ = 0;  // lingering-close time bound in wheel ticks (HTTP only)

  std::vector<Connection*> connections_;  // owned; Connection::index_ is its position
  std::vector<Connection*> to_destroy_;   // closed during this batch of events

  // Filled by other threads, drained by on_wakeup().
  std::mutex inbox_mutex_;
  std::vector<int> posted_fds_;
  Job* done_jobs_ = nullptr;    // intrusive LIFO, reversed on drain
  std::vector<int> taken_fds_;  // loop thread's swap partner for posted_fds_

  friend class Connection;
};

}  // namespace iomb::nio
