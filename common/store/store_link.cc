// Implementation of the free functions of store_link.h.
#include "common/store/store_link.h"

#include <arpa/inet.h>

#include <charconv>
#include <chrono>
#include <stdexcept>

namespace iomb::store {

Endpoint parse_endpoint(std::string_view text, std::string_view flag) {
  auto bad = [&] {
    return std::invalid_argument(std::string(flag) + ": expected HOST:PORT, got '" +
                                 std::string(text) + "'");
  };
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) throw bad();
  Endpoint e;
  e.host = std::string(text.substr(0, colon));
  if (e.host == "localhost") e.host = "127.0.0.1";
  in_addr addr{};
  if (::inet_pton(AF_INET, e.host.c_str(), &addr) != 1) throw bad();
  std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    throw bad();
  }
  e.port = static_cast<uint16_t>(value);
  return e;
}

int64_t monotonic_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace iomb::store
