// Server counters reported in the stopped line and in HTTP /stats.
// A Counters block has one writer in the hot path (its event loop / ring thread) which uses
// add_local() (a plain load+store, no locked instruction), or many writers using add()
// (an atomic fetch_add, for bio's thread-per-connection). Any thread may snapshot() at any time.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string_view>

namespace iomb {

enum class Counter : int {
  kAccepted,        // connections accepted and served
  kRejected,        // accepted and closed at once (over --max-conns, or shed on EMFILE)
  kClosedByPeer,    // orderly close (FIN) from the client
  kClosedIdle,      // closed by --idle-timeout-ms
  kClosedByServer,  // closed by the server (shutdown, protocol error, HTTP close)
  kErrorsReset,     // ECONNRESET / EPIPE from the peer
  kErrorsOther,     // any other IO error
  kBytesIn,
  kBytesOut,
  kRequests,            // HTTP requests answered (echo: recv completions that carried data)
  kBackpressureStalls,  // times reading was paused because unsent output hit the limit
  kCount
};

std::string_view counter_name(Counter c);

struct CounterSnapshot {
  std::array<uint64_t, static_cast<int>(Counter::kCount)> values{};
  uint64_t operator[](Counter c) const { return values[static_cast<int>(c)]; }
  CounterSnapshot& operator+=(const CounterSnapshot& other);
  // {"accepted":..,"rejected":..,...}; errors under "errors":{"reset":..,"other":..}.
  nlohmann::json to_json() const;
  static CounterSnapshot from_json(const nlohmann::json& j);
};

class alignas(64) Counters {
 public:
  // Single-writer increment: only the owning thread may call it.
  void add_local(Counter c, uint64_t n = 1) noexcept {
    auto& v = values_[static_cast<int>(c)];
    v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  // Multi-writer increment.
  void add(Counter c, uint64_t n = 1) noexcept {
    values_[static_cast<int>(c)].fetch_add(n, std::memory_order_relaxed);
  }
  CounterSnapshot snapshot() const noexcept;

 private:
  std::array<std::atomic<uint64_t>, static_cast<int>(Counter::kCount)> values_{};
};

}  // namespace iomb
