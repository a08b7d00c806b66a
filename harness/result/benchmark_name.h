// The benchmark name of DESIGN §4.3, `<protocol>/<model>:<mode>/c:<conns>/d:<depth>/s:<size>
// [/r:<rate>]`, parsed into its parts. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace iomb::report {

struct BenchmarkKey {
  std::string protocol;
  std::string model;  // "nio"
  std::string mode;   // "reactors"; empty when the name has no ":mode"
  int64_t connections = 1;
  int64_t depth = 1;
  uint64_t size = 0;
  std::optional<double> rate;  // open loop when set

  std::string model_mode() const;      // "nio:reactors" (or "nio")
  std::string canonical_name() const;  // the DESIGN §4.3 name, sizes in bytes
  bool open_loop() const { return rate.has_value(); }
  bool operator==(const BenchmarkKey&) const = default;
};

// nullopt when the name has no "<protocol>/<model>" head, none of c:/d:/s:/r:, or one of them
// is not a number. Unknown "key:value" segments are ignored; missing c/d/s keep their defaults.
// A Google Benchmark aggregate suffix ("_median") must be stripped first (use run_name).
std::optional<BenchmarkKey> parse_benchmark_name(std::string_view name);

// Whether `model_mode` names this key's model: "nio:reactors" exactly, or "nio" for any mode.
bool matches_model(const BenchmarkKey& key, std::string_view model_mode);

}  // namespace iomb::report
