// One blocking HTTP/1.1 GET on its own loopback connection (Connection: close, read to the end,
// bounded by a 1 s socket timeout and 4 MiB): how the lab reads a node's /stats and how the
// cookie-replay probe makes its visits, outside the measured load. Any thread.
#pragma once

#include <cstdint>
#include <string>

namespace iomb::cluster {

struct OneShotReply {
  int status = 0;    // 0 when the exchange failed (connect, send, timeout, not HTTP)
  std::string head;  // status line and headers, without the blank line
  std::string body;
};

// `cookie` is sent as the Cookie header when not empty.
OneShotReply get_once(uint16_t port, const std::string& path, const std::string& cookie = "");

}  // namespace iomb::cluster
