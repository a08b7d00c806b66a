// FuzzInput: turns one libFuzzer input into choices and chunks: the first bytes pick options
// and a seed, the rest is the payload, cut into pieces of pseudo-random sizes (so every target
// meets data split at arbitrary points, as reads split it). Header-only; one thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace iomb::fuzz {

// The clock of the signed-cookie store in the targets: when the committed `sess` seeds were
// signed, so that they verify (their 30-minute expiry lies ahead) and mutations start deep.
inline constexpr int64_t kSeedTimeMs = 1'796'666'742'208;

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : bytes_(reinterpret_cast<const char*>(data), size) {}

  // The next byte as a choice (0 when the input is used up).
  uint8_t take_byte() {
    if (bytes_.empty()) return 0;
    const auto b = static_cast<uint8_t>(bytes_.front());
    bytes_.remove_prefix(1);
    return b;
  }
  // What is left, whole.
  std::string_view rest() const { return bytes_; }

  // Calls `piece` with consecutive pieces of `payload`, 1..max_piece bytes long, sized by a
  // generator seeded with `seed`.
  template <typename Piece>
  static void in_pieces(std::string_view payload, uint32_t seed, size_t max_piece, Piece piece) {
    uint32_t state = seed | 1;
    while (!payload.empty()) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      const size_t n = std::min<size_t>(payload.size(), 1 + state % max_piece);
      piece(payload.substr(0, n));
      payload.remove_prefix(n);
    }
  }

 private:
  std::string_view bytes_;
};

}  // namespace iomb::fuzz
