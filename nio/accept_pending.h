// accept_pending(): drains a non-blocking listening socket (bounded per call) with accept4,
// sheds connections on fd exhaustion with the spare-fd trick, applies the process-wide
// --max-conns, and delivers each kept socket. Used by EventLoop (reactors mode) and Acceptor;
// called on the thread that owns `counters`.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "common/counters.h"
#include "common/socket_ops.h"
#include "nio/server_context.h"

namespace iomb::nio {

inline constexpr int kMaxAcceptsPerWakeup = 1024;

template <class Deliver>
void accept_pending(int listen_fd, SpareFd& spare, Counters& counters, ServerContext& context,
                    Deliver&& deliver) {
  for (int i = 0; i < kMaxAcceptsPerWakeup; ++i) {
    int fd = accept_connection(listen_fd, spare, SOCK_NONBLOCK);
    if (fd == -EAGAIN || fd == -EWOULDBLOCK) return;
    if (fd == -EMFILE) {
      // Out of descriptors: the spare fd shed one pending connection (see SpareFd). Keep
      // shedding until the backlog is empty (-EAGAIN): an edge-triggered listener would not
      // report the rest again.
      counters.add_local(Counter::kRejected);
      continue;
    }
    if (fd < 0) {
      counters.add_local(Counter::kErrorsOther);
      return;  // ENOBUFS, ENOMEM...: retried on the next readiness
    }
    if (!context.connections.try_admit()) {
      ::close(fd);
      counters.add_local(Counter::kRejected);
      continue;
    }
    deliver(fd);
  }
}

}  // namespace iomb::nio
