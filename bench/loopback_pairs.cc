// Implementation of loopback_pairs.h.
#include "bench/loopback_pairs.h"

#include <sys/socket.h>

#include <cerrno>
#include <system_error>

#include "common/socket_ops.h"

namespace iomb::bench {

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
  while (len > 0) {
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

bool recv_exact(int fd, char* data, size_t len) {
  while (len > 0) {
    ssize_t n = recv(fd, data, len, MSG_WAITALL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace iomb::bench
