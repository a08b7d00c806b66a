// Implementation of test_client.h.
#include "tests/integration/test_client.h"

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>
#include <random>

#include "common/socket_ops.h"

namespace iomb::testing {

using Clock = std::chrono::steady_clock;

namespace {
int ms_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}
}  // namespace

UniqueFd connect_loopback(uint16_t port) { return connect_tcp("127.0.0.1", port); }

size_t send_all(int fd, std::string_view data, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) break;
    pollfd p{fd, POLLOUT, 0};
    if (ms_left(deadline) == 0) break;
    ::poll(&p, 1, ms_left(deadline));
  }
  return off;
}

std::string recv_exact(int fd, size_t n, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string out;
  out.resize(n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::recv(fd, out.data() + got, n - got, MSG_DONTWAIT);
    if (r > 0) {
      got += static_cast<size_t>(r);
      continue;
    }
    if (r == 0 || (errno != EAGAIN && errno != EINTR)) break;
    if (ms_left(deadline) == 0) break;
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, ms_left(deadline));
  }
  out.resize(got);
  return out;
}

std::string recv_until_close(int fd, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t r = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (r > 0) {
      out.append(buf, static_cast<size_t>(r));
      continue;
    }
    if (r == 0 || (errno != EAGAIN && errno != EINTR)) break;
    if (ms_left(deadline) == 0) break;
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, ms_left(deadline));
  }
  return out;
}

bool wait_peer_closed(int fd, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  char buf[65536];
  for (;;) {
    ssize_t r = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (r == 0) return true;
    if (r < 0 && errno != EAGAIN && errno != EINTR) return true;  // reset counts as closed
    if (r > 0) continue;
    if (ms_left(deadline) == 0) return false;
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, ms_left(deadline));
  }
}

std::string random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(rng() & 0xff);
  return s;
}

bool echo_roundtrip(int fd, std::string_view message, milliseconds timeout) {
  if (send_all(fd, message, timeout) != message.size()) return false;
  return recv_exact(fd, message.size(), timeout) == message;
}

uint64_t raise_open_file_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  lim.rlim_cur = lim.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &lim);
  return lim.rlim_cur;
}

}  // namespace iomb::testing
