// Acceptor (acceptor and workers modes): the one thread that accepts. It waits on the
// listening socket and a stop eventfd with its own small epoll, drains the backlog with
// non-blocking accept4, and hands each socket round-robin to an EventLoop's queue (muduo
// style). run() on the server's main thread; stop() from any thread.
#pragma once

#include <vector>

#include "common/counters.h"
#include "common/socket_ops.h"
#include "common/unique_fd.h"
#include "nio/server_context.h"

namespace iomb::nio {

class EventLoop;

class Acceptor {
 public:
  // Setup errors throw std::system_error.
  Acceptor(ServerContext& context, UniqueFd listener, std::vector<EventLoop*> loops);

  void run();
  void stop();  // any thread
  CounterSnapshot counters() const { return counters_.snapshot(); }

 private:
  void accept_ready();

  ServerContext& context_;
  UniqueFd listener_;
  std::vector<EventLoop*> loops_;
  size_t next_loop_ = 0;
  UniqueFd epoll_;
  UniqueFd wakeup_;
  SpareFd spare_fd_;
  Counters counters_;  // rejected / errors seen while accepting; this thread only
};

}  // namespace iomb::nio
