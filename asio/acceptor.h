// Acceptor: the accept chain of one IoLoop: one async_accept outstanding at a time, its
// handlers on the loop's strand, each accepted socket handed to IoLoop::on_accepted().
// Descriptor exhaustion: Asio completes the accept with EMFILE (error::no_descriptors) and
// leaves the connection in the backlog; re-arming at once would spin, because the epoll
// registration and Asio's speculative accept report the listener ready again immediately. So
// the SpareFd technique sheds that one connection (close the spare fd, accept, close, reopen)
// and the chain moves on; when even that fails, it backs off on a timer before accepting again.
// The spare belongs to the process's reserve (spare_fd.h), shared by the acceptors of
// context-per-thread: a sibling's accept that takes a freed descriptor gives it back.
// Constructed before the loop runs; start() before run(), stop() on the strand.
#pragma once

#include "asio/asio_types.h"
#include "asio/handler_allocator.h"
#include "common/socket_ops.h"
#include "common/unique_fd.h"

namespace iomb::asio {

class IoLoop;

class Acceptor {
 public:
  // Takes the listening socket (already bound and listening). Throws std::system_error.
  Acceptor(IoLoop& loop, net::io_context& context, Strand& strand, UniqueFd listener,
           HandlerMemory& memory);

  void start();
  void stop();

 private:
  void accept();
  void on_accept(const boost::system::error_code& ec, TcpSocket socket);
  void back_off();

  IoLoop& loop_;
  net::io_context& context_;
  Strand& strand_;
  HandlerMemory& memory_;
  TcpAcceptor acceptor_;
  SteadyTimer backoff_timer_;
  SpareFd spare_fd_;
  bool stopped_ = false;
};

}  // namespace iomb::asio
