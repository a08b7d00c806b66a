// Implementation of connection.h: the blocking echo and HTTP loops.
#include "bio/connection.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "bio/connection_registry.h"
#include "common/http/http_codec.h"
#include "common/socket_ops.h"

namespace iomb::bio {
namespace {

// The connection threads run on 64 KiB stacks; the echo buffer lives there too, so an idle
// connection (blocked in recv before any data) touches only a few pages.
constexpr size_t kBufferBytes = 16 * 1024;

enum class End { kPeerClosed, kIdle, kReset, kError, kStopped, kHttpClose };

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

// Receives at least one byte (counted in kBytesIn); or returns 0 with *end saying why the
// connection ends (EOF, idle timeout, error, shutdown).
ssize_t receive(int fd, char* buf, size_t len, const ConnectionContext& ctx, End* end) {
  for (;;) {
    ssize_t n = ::recv(fd, buf, len, 0);
    if (n > 0) {
      ctx.counters.add(Counter::kBytesIn, static_cast<uint64_t>(n));
      return n;
    }
    if (n < 0 && errno == EINTR) continue;
    if (ctx.stopping.load(std::memory_order_relaxed)) {
      *end = End::kStopped;
    } else {
      *end = n == 0 ? End::kPeerClosed : classify(errno);
    }
    return 0;
  }
}

End echo_loop(int fd, const ConnectionContext& ctx) {
  char buf[kBufferBytes];
  const auto delay = std::chrono::microseconds(ctx.options.test_echo_delay_us);
  End end = End::kError;
  for (;;) {
    ssize_t n = receive(fd, buf, sizeof buf, ctx, &end);
    if (n <= 0) return end;
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

// After an HTTP response that closes the connection: closing with unread input in the socket
// would make the kernel send RST, which can destroy the response before the client reads it
// (RFC 9112 §9.6). So: FIN first, then read and discard until the client closes, for a
// bounded time and amount (nginx's lingering close).
void lingering_close(int fd) {
  constexpr auto kLingerTime = std::chrono::seconds(2);
  constexpr size_t kLingerBytes = 1 << 20;
  ::shutdown(fd, SHUT_WR);
  timeval tv{0, 500'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char sink[4096];
  size_t discarded = 0;
  const auto deadline = std::chrono::steady_clock::now() + kLingerTime;
  while (discarded < kLingerBytes && std::chrono::steady_clock::now() < deadline) {
    ssize_t n = ::recv(fd, sink, sizeof sink, 0);
    if (n > 0) {
      discarded += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EOF, timeout, reset
    }
  }
}

End http_loop(int fd, const ConnectionContext& ctx) {
  http::HttpCodec codec(*ctx.http);
  char buf[kBufferBytes];
  const auto request_deadline = std::chrono::milliseconds(ctx.options.idle_timeout_ms);
  std::chrono::steady_clock::time_point request_started;
  End end = End::kError;
  for (;;) {
    ssize_t n = receive(fd, buf, sizeof buf, ctx, &end);
    if (n <= 0) return end;
    const bool was_mid_request = codec.mid_request();
    codec.on_input(std::string_view(buf, static_cast<size_t>(n)));
    const uint64_t answered = codec.take_responses();
    if (answered > 0) ctx.counters.add(Counter::kRequests, answered);
    // The handler ran inline (--work-us / --block-us on this thread); send what it produced.
    // A blocked send is the backpressure: nothing more is read meanwhile.
    std::string_view out = codec.output();
    if (!out.empty()) {
      int err = send_all_blocking(fd, out.data(), out.size(), ctx.counters);
      codec.consume_output(out.size());
      if (err != 0) {
        if (ctx.stopping.load(std::memory_order_relaxed)) return End::kStopped;
        return classify(err);
      }
    }
    if (codec.should_close()) {
      lingering_close(fd);
      return End::kHttpClose;
    }
    // SO_RCVTIMEO closes a silent client; this closes one that trickles a request byte by byte
    // (slowloris) once the request has taken longer than the idle timeout.
    if (request_deadline.count() > 0 && codec.mid_request()) {
      auto now = std::chrono::steady_clock::now();
      // A request that began in this read: either none was pending, or one completed.
      if (!was_mid_request || answered > 0) request_started = now;
      if (now - request_started > request_deadline) return End::kIdle;
    }
  }
}

}  // namespace

void serve_connection(UniqueFd fd, const ConnectionContext& ctx) {
  set_nodelay(fd.get());
  set_timeouts(fd.get(), ctx.options.idle_timeout_ms);
  End end = ctx.http != nullptr ? http_loop(fd.get(), ctx) : echo_loop(fd.get(), ctx);
  switch (end) {
    case End::kPeerClosed:
      ctx.counters.add(Counter::kClosedByPeer);
      break;
    case End::kIdle:
      ctx.counters.add(Counter::kClosedIdle);
      break;
    case End::kReset:
      ctx.counters.add(Counter::kErrorsReset);
      break;
    case End::kError:
      ctx.counters.add(Counter::kErrorsOther);
      break;
    case End::kStopped:
      ctx.counters.add(Counter::kClosedByServer);
      break;
    case End::kHttpClose:
      ctx.counters.add(Counter::kClosedByServer);
      break;
  }
  ctx.registry.remove(fd.get());
}

}  // namespace iomb::bio
