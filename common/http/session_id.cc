// Implementation of session_id.h.
#include "common/http/session_id.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace iomb::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

SessionId SessionId::random() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    got += static_cast<size_t>(n);
  }
  SessionId id;
  std::memcpy(&id.hi, bytes, 8);
  std::memcpy(&id.lo, bytes + 8, 8);
  return id;
}

std::optional<SessionId> SessionId::parse(std::string_view hex) {
  if (hex.size() != kHexLength) return std::nullopt;
  SessionId id;
  for (size_t i = 0; i < kHexLength; ++i) {
    int v = hex_value(hex[i]);
    if (v < 0) return std::nullopt;
    uint64_t& word = i < 16 ? id.hi : id.lo;
    word = (word << 4) | static_cast<uint64_t>(v);
  }
  return id;
}

std::array<char, SessionId::kHexLength> SessionId::hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::array<char, kHexLength> out{};
  for (size_t i = 0; i < 16; ++i) {
    out[i] = kDigits[(hi >> (60 - 4 * i)) & 0xf];
    out[16 + i] = kDigits[(lo >> (60 - 4 * i)) & 0xf];
  }
  return out;
}

}  // namespace iomb::http
