// Implementation of echo_client.h and of ClientProtocolFactory::make (the protocol dispatch).
#include "harness/load/echo_client.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "harness/load/http_client.h"

namespace iomb::harness {
namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

EchoPattern::EchoPattern(uint64_t seed) {
  bytes_.resize(kPeriod + kMaxSlice);
  uint64_t state = seed;
  for (size_t i = 0; i < kPeriod; i += 8) {
    uint64_t r = splitmix64(state);
    for (size_t k = 0; k < 8 && i + k < kPeriod; ++k)
      bytes_[i + k] = static_cast<char>(r >> (8 * k));
  }
  for (size_t i = kPeriod; i < bytes_.size(); ++i) bytes_[i] = bytes_[i - kPeriod];
}

EchoClient::EchoClient(const EchoPattern& pattern, uint64_t message_size, uint64_t connection_id,
                         uint64_t seed)
    : pattern_(pattern), size_(message_size), connection_id_(connection_id), seed_(seed) {
  reset(0);
}

void EchoClient::reset(uint64_t incarnation) {
  uint64_t state = seed_ ^ (connection_id_ * 0x100000001b3ull) ^ (incarnation << 32);
  start_ = static_cast<size_t>(splitmix64(state) % EchoPattern::kPeriod);
  queued_ = sent_ = received_ = 0;
  error_.clear();
}

std::span<const char> EchoClient::output() const {
  if (sent_ >= queued_) return {};
  size_t pos = static_cast<size_t>((start_ + sent_) % EchoPattern::kPeriod);
  size_t len = static_cast<size_t>(std::min<uint64_t>(queued_ - sent_, EchoPattern::kMaxSlice));
  return {pattern_.at(pos), len};
}

int64_t EchoClient::on_input(const char* data, size_t n) {
  if (received_ + n > sent_) {
    char buf[160];
    std::snprintf(
        buf, sizeof buf, "received %zu bytes at stream offset %llu but only %llu were sent", n,
        static_cast<unsigned long long>(received_), static_cast<unsigned long long>(sent_));
    error_ = buf;
    return -1;
  }
  uint64_t before = received_;
  size_t done = 0;
  while (done < n) {
    size_t pos = static_cast<size_t>((start_ + received_) % EchoPattern::kPeriod);
    size_t len = std::min(n - done, EchoPattern::kMaxSlice);
    const char* expected = pattern_.at(pos);
    if (std::memcmp(data + done, expected, len) != 0) {
      size_t i = 0;
      while (data[done + i] == expected[i]) ++i;
      char buf[160];
      std::snprintf(buf, sizeof buf, "byte at stream offset %llu: expected 0x%02x, got 0x%02x",
                    static_cast<unsigned long long>(received_ + i),
                    static_cast<unsigned>(static_cast<uint8_t>(expected[i])),
                    static_cast<unsigned>(static_cast<uint8_t>(data[done + i])));
      error_ = buf;
      return -1;
    }
    done += len;
    received_ += len;
  }
  return static_cast<int64_t>(received_ / size_ - before / size_);
}

std::unique_ptr<ClientProtocol> ClientProtocolFactory::make(uint64_t connection_id) const {
  if (options->protocol == Protocol::kHttp) {
    if (!http) throw std::invalid_argument("http session without an HTTP target");
    return std::make_unique<HttpClient>(*http, options->seed ^ (connection_id * 0x100000001b3ull));
  }
  return std::make_unique<EchoClient>(*pattern, options->size, connection_id, options->seed);
}

}  // namespace iomb::harness
