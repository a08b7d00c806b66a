// Implementation of connection.h: the blocking echo loop.
#include "bio/connection.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "bio/connection_registry.h"
#include "common/socket_ops.h"

namespace iomb::bio {
namespace {

// The connection threads run on 64 KiB stacks; the echo buffer lives there too, so an idle
// connection (blocked in recv before any data) touches only a few pages.
constexpr size_t kBufferBytes = 16 * 1024;

enum class End { kPeerClosed, kIdle, kReset, kError, kStopped };

void set_timeouts(int fd, uint64_t idle_ms) {
  if (idle_ms == 0) return;
  timeval tv{static_cast<time_t>(idle_ms / 1000), static_cast<suseconds_t>(idle_ms % 1000 * 1000)};
  // A blocked recv (or a send to a peer that stopped reading) gives up after the idle timeout.
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

End classify(int err) {
  if (err == EAGAIN || err == EWOULDBLOCK) return End::kIdle;
  if (err == ECONNRESET || err == EPIPE) return End::kReset;
  return End::kError;
}

// Writes all of [data, data+len); returns 0 or an errno.
int send_all_blocking(int fd, const char* data, size_t len, Counters& counters) {
  while (len > 0) {
    ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    counters.add(Counter::kBytesOut, static_cast<uint64_t>(n));
    data += n;
    len -= static_cast<size_t>(n);
  }
  return 0;
}

End echo_loop(int fd, const ConnectionContext& ctx) {
  char buf[kBufferBytes];
  const auto delay = std::chrono::microseconds(ctx.options.test_echo_delay_us);
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) return ctx.stopping.load(std::memory_order_relaxed) ? End::kStopped : End::kPeerClosed;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (ctx.stopping.load(std::memory_order_relaxed)) return End::kStopped;
      return classify(errno);
    }
    ctx.counters.add(Counter::kBytesIn, static_cast<uint64_t>(n));
    ctx.counters.add(Counter::kRequests);
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    // Backpressure is implicit: while send blocks on a peer that does not read, nothing more
    // is read, and at most one buffer is pending.
    if (int err = send_all_blocking(fd, buf, static_cast<size_t>(n), ctx.counters)) {
      if (ctx.stopping.load(std::memory_order_relaxed)) return End::kStopped;
      return classify(err);
    }
  }
}

}  // namespace

void serve_connection(UniqueFd fd, const ConnectionContext& ctx) {
  set_nodelay(fd.get());
  set_timeouts(fd.get(), ctx.options.idle_timeout_ms);
  End end = echo_loop(fd.get(), ctx);
  switch (end) {
    case End::kPeerClosed: ctx.counters.add(Counter::kClosedByPeer); break;
    case End::kIdle: ctx.counters.add(Counter::kClosedIdle); break;
    case End::kReset: ctx.counters.add(Counter::kErrorsReset); break;
    case End::kError: ctx.counters.add(Counter::kErrorsOther); break;
    case End::kStopped: ctx.counters.add(Counter::kClosedByServer); break;
  }
  ctx.registry.remove(fd.get());
}

}  // namespace iomb::bio
