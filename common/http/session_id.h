// SessionId: a 128-bit session identifier from getrandom(2), written as 32 lowercase hex
// digits in the `sid` cookie. Value type; any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace iomb::http {

struct SessionId {
  uint64_t hi = 0;
  uint64_t lo = 0;

  static constexpr size_t kHexLength = 32;

  // 128 random bits from the kernel CSPRNG (getrandom, blocking only before its first seeding
  // at boot). Throws std::system_error if the kernel refuses.
  static SessionId random();
  // Parses exactly 32 hex digits (either case); anything else is not a session id.
  static std::optional<SessionId> parse(std::string_view hex);
  // 32 lowercase hex digits.
  std::array<char, kHexLength> hex() const;

  bool operator==(const SessionId&) const = default;
};

struct SessionIdHash {
  // The bits are random already.
  size_t operator()(const SessionId& id) const noexcept { return static_cast<size_t>(id.lo); }
};

}  // namespace iomb::http
