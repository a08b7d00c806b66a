// LEB128 varints and base64 (RFC 4648, with padding) for the compact histogram encoding in
// result files. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace iomb::harness {

void put_varint(std::string& out, uint64_t value);

// Reads varints from a byte string; next() returns false on a truncated or overlong varint.
class VarintReader {
 public:
  explicit VarintReader(std::string_view bytes) : bytes_(bytes) {}
  bool next(uint64_t* value);
  bool done() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

std::string base64_encode(std::string_view bytes);
// nullopt on a character outside the alphabet or a bad length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace iomb::harness
