// Implementation of socket_ops.h.
#include "common/socket_ops.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace iomb {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

sockaddr_storage resolve_address(const std::string& host, uint16_t port, socklen_t* len) {
  sockaddr_storage ss{};
  std::string h = host == "localhost" ? "127.0.0.1" : host;
  if (!h.empty() && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  if (inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    *len = sizeof(sockaddr_in);
    return ss;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    *len = sizeof(sockaddr_in6);
    return ss;
  }
  throw std::invalid_argument("not a numeric IP address: '" + host + "'");
}

UniqueFd listen_tcp(const ListenConfig& config) {
  socklen_t len = 0;
  sockaddr_storage addr = resolve_address(config.host, config.port, &len);
  int type = SOCK_STREAM | SOCK_CLOEXEC | (config.non_blocking ? SOCK_NONBLOCK : 0);
  UniqueFd fd(::socket(addr.ss_family, type, 0));
  if (!fd) throw_errno("socket");
  int one = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
    throw_errno("setsockopt(SO_REUSEADDR)");
  }
  if (config.reuse_port &&
      ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    throw_errno("setsockopt(SO_REUSEPORT)");
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    throw_errno("bind " + config.host + ":" + std::to_string(config.port));
  }
  if (::listen(fd.get(), config.backlog) != 0) throw_errno("listen");
  return fd;
}

uint16_t local_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) throw_errno("getsockname");
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

uint16_t free_loopback_port() {
  ListenConfig config;  // 127.0.0.1, port 0
  return local_port(listen_tcp(config).get());
}

UniqueFd connect_tcp(const std::string& host, uint16_t port) {
  socklen_t len = 0;
  sockaddr_storage addr = resolve_address(host, port, &len);
  UniqueFd fd(::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), len);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) throw_errno("connect " + host + ":" + std::to_string(port));
  set_nodelay(fd.get());
  return fd;
}

int set_nodelay(int fd) {
  int one = 1;
  return ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0 ? 0 : -errno;
}

int set_nonblocking(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return -errno;
  flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  return ::fcntl(fd, F_SETFL, flags) == 0 ? 0 : -errno;
}

int accept_connection(int listen_fd, SpareFd& spare, int flags) {
  for (;;) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, flags | SOCK_CLOEXEC);
    if (fd >= 0) {
      if (!SpareFd::reserve_short()) return fd;
      SpareFd::give_to_reserve(fd);
      return -EMFILE;
    }
    int err = errno;
    if (err == EINTR || err == ECONNABORTED) continue;
    if (err == EMFILE || err == ENFILE) {
      // accept4 fails with EMFILE even on an empty backlog (the kernel allocates the fd
      // first), so only a successful shed means a connection was pending.
      return spare.shed_one(listen_fd) ? -EMFILE : -EAGAIN;
    }
    return -err;
  }
}

}  // namespace iomb
