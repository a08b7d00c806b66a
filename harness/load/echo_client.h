// Echo protocol client (DESIGN §3.4): requests are --size bytes taken from a pseudo-random
// pattern, and every byte that comes back is compared with what was sent at that stream
// offset (memcmp against the pattern, no copies). EchoPattern is built once per run and
// shared read-only by all load threads; an EchoClient belongs to one connection's thread.
#pragma once

#include <cstdint>
#include <string>

#include "harness/load/client_protocol.h"

namespace iomb::harness {

class EchoPattern {
 public:
  // Period of the pattern: prime, so message boundaries fall on ever different bytes.
  static constexpr size_t kPeriod = 65521;
  // Longest contiguous slice handed out (send size / compare chunk).
  static constexpr size_t kMaxSlice = 64 * 1024;

  explicit EchoPattern(uint64_t seed);
  // kMaxSlice bytes are readable from any offset < kPeriod.
  const char* at(size_t offset) const { return bytes_.data() + offset; }

 private:
  std::string bytes_;
};

class EchoClient final : public ClientProtocol {
 public:
  EchoClient(const EchoPattern& pattern, uint64_t message_size, uint64_t connection_id,
              uint64_t seed);

  void add_request() override { queued_ += size_; }
  std::span<const char> output() const override;
  void consume_output(size_t n) override { sent_ += n; }
  int64_t on_input(const char* data, size_t n) override;
  const std::string& error() const override { return error_; }
  void reset(uint64_t incarnation) override;

  uint64_t bytes_sent() const { return sent_; }
  uint64_t bytes_received() const { return received_; }

 private:
  const EchoPattern& pattern_;
  uint64_t size_;
  uint64_t connection_id_;
  uint64_t seed_;
  size_t start_ = 0;  // pattern offset of stream byte 0
  uint64_t queued_ = 0;
  uint64_t sent_ = 0;
  uint64_t received_ = 0;
  std::string error_;
};

}  // namespace iomb::harness
