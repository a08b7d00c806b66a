// Implementation of one_shot_get.h.
#include "harness/cluster/one_shot_get.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <cstdlib>

#include "common/socket_ops.h"

namespace iomb::cluster {

OneShotReply get_once(uint16_t port, const std::string& path, const std::string& cookie) {
  OneShotReply reply;
  try {
    UniqueFd fd = connect_tcp("127.0.0.1", port);
    timeval tv{1, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n";
    if (!cookie.empty()) req += "Cookie: " + cookie + "\r\n";
    req += "\r\n";
    if (::send(fd.get(), req.data(), req.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(req.size())) {
      return reply;
    }
    std::string in;
    char buf[16384];
    for (int i = 0; i < 256; ++i) {  // Connection: close: read to the end (bounded)
      ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
    }
    const size_t head_end = in.find("\r\n\r\n");
    if (head_end == std::string::npos || in.compare(0, 9, "HTTP/1.1 ") != 0) return reply;
    reply.status = std::atoi(in.c_str() + 9);
    reply.head = in.substr(0, head_end);
    reply.body = in.substr(head_end + 4);
  } catch (const std::exception&) {
    reply.status = 0;
  }
  return reply;
}

}  // namespace iomb::cluster
