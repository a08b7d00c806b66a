// Socket helpers shared by every server and the harness: listening sockets (SO_REUSEADDR,
// optional SO_REUSEPORT), TCP_NODELAY, non-blocking mode, and accept with the EMFILE spare-fd
// technique (spare_fd.h). Setup functions throw std::system_error naming the failed call; data-path
// functions return -errno and never throw. Any thread.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "common/spare_fd.h"
#include "common/unique_fd.h"

namespace iomb {

struct ListenConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 0;        // 0 = ephemeral
  bool reuse_port = false;  // SO_REUSEPORT, so several sockets can share one port
  bool non_blocking = false;
  int backlog = 4096;
};

// socket + SO_REUSEADDR (+ SO_REUSEPORT) + bind + listen. Throws std::system_error.
UniqueFd listen_tcp(const ListenConfig& config);

// The local port a socket is bound to. Throws std::system_error.
uint16_t local_port(int fd);

// A loopback port the kernel just handed out and that is free again, for a program that cannot
// be told port 0 (redis-server, haproxy): it binds the port a moment later, and another process
// may take it in between, so callers retry. Throws std::system_error.
uint16_t free_loopback_port();

// Resolves a numeric IPv4/IPv6 host or "localhost" into a sockaddr. Throws std::invalid_argument.
sockaddr_storage resolve_address(const std::string& host, uint16_t port, socklen_t* len);

// Blocking connect to host:port with TCP_NODELAY. Throws std::system_error.
UniqueFd connect_tcp(const std::string& host, uint16_t port);

// Returns 0 or -errno.
int set_nodelay(int fd);
int set_nonblocking(int fd, bool on = true);

// accept4 that retries on EINTR and handles fd exhaustion with `spare` (spare_fd.h).
// Returns the new fd (>= 0), or -errno: -EAGAIN (nothing pending, whether or not descriptors
// ran out), -EMFILE (one pending connection was shed: descriptors ran out, or the reserve was
// short and took the accepted one; call again to shed the next), or another error for the
// caller to count.
int accept_connection(int listen_fd, SpareFd& spare, int flags);

}  // namespace iomb
