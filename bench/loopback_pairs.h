// LoopbackPairs: N connected TCP connections over 127.0.0.1 with both ends held by the calling
// thread (blocking sockets, TCP_NODELAY), for the floor benchmarks; plus exact-length blocking
// send/recv. Setup throws std::system_error; one thread.
#pragma once

#include <cstddef>
#include <vector>

#include "common/unique_fd.h"

namespace iomb::bench {

class LoopbackPairs {
 public:
  explicit LoopbackPairs(int count);
  int size() const { return static_cast<int>(clients_.size()); }
  int client(int i) const { return clients_[static_cast<size_t>(i)].get(); }
  int server(int i) const { return servers_[static_cast<size_t>(i)].get(); }

 private:
  std::vector<UniqueFd> clients_, servers_;
};

// One send() call normally; loops on short sends and EINTR. False on error or closed peer.
bool send_exact(int fd, const char* data, size_t len);
// One recv(MSG_WAITALL) call normally; loops on EINTR. False on error or closed peer.
bool recv_exact(int fd, char* data, size_t len);

}  // namespace iomb::bench
