// Implementation of loopback_pairs.h.
#include "bench/loopback_pairs.h"

#include <sys/socket.h>

#include <cerrno>
#include <system_error>

#include "common/socket_ops.h"

namespace iomb::bench {
namespace {

// Calls io(data, len) until len bytes have moved; retries EINTR; false on error or EOF.
template <typename Pointer, typename Io>
bool transfer_exact(Pointer data, size_t len, Io io) {
  while (len > 0) {
    ssize_t n = io(data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

LoopbackPairs::LoopbackPairs(int count) {
  ListenConfig config;
  config.backlog = count + 16;
  UniqueFd listener = listen_tcp(config);
  const uint16_t port = local_port(listener.get());
  for (int i = 0; i < count; ++i) {
    clients_.push_back(connect_tcp("127.0.0.1", port));
    UniqueFd server(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!server) throw std::system_error(errno, std::generic_category(), "accept4");
    if (int rc = set_nodelay(server.get()); rc != 0) {
      throw std::system_error(-rc, std::generic_category(), "setsockopt(TCP_NODELAY)");
    }
    servers_.push_back(std::move(server));
  }
}

bool send_exact(int fd, const char* data, size_t len) {
  return transfer_exact(data, len,
                        [fd](const char* p, size_t n) { return send(fd, p, n, MSG_NOSIGNAL); });
}

bool recv_exact(int fd, char* data, size_t len) {
  return transfer_exact(data, len, [fd](char* p, size_t n) { return recv(fd, p, n, MSG_WAITALL); });
}

}  // namespace iomb::bench
