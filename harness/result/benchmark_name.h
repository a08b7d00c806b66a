// The benchmark name of DESIGN §4.3, `<protocol>/<model>:<mode>/c:<conns>/d:<depth>/s:<size>
// [/r:<rate>][/p:<path>]`: the only place that builds (format) or parses it. Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace iomb::result {

struct BenchmarkName {
  std::string protocol;
  std::string model;  // "nio"
  std::string mode;   // "reactors"; empty when the name has no ":mode"
  int64_t connections = 1;
  int64_t depth = 1;
  uint64_t size = 0;
  std::optional<double> rate;  // open loop when set
  std::string path;            // HTTP path without its leading '/'; empty for "/"

  std::string model_mode() const;  // "nio:reactors" (or "nio")
  // The name as the result file writes it: rates as "%.0f" when whole, else "%g"; "/p:" only
  // when the path is set.
  std::string format() const;
  // The name with sizes in bytes and rates at full precision, without the path (what the
  // report lists for cells that did not run).
  std::string canonical_name() const;
  bool open_loop() const { return rate.has_value(); }
  bool operator==(const BenchmarkName&) const = default;

  // nullopt when the name has no "<protocol>/<model>" head, none of c:/d:/s:/r:, or one of them
  // is not a number. Unknown "key:value" segments are ignored; missing c/d/s keep their
  // defaults. A Google Benchmark aggregate suffix ("_median") must be stripped first (use
  // run_name).
  static std::optional<BenchmarkName> parse(std::string_view name);
};

// Whether `model_mode` names this key's model: "nio:reactors" exactly, or "nio" for any mode.
bool matches_model(const BenchmarkName& key, std::string_view model_mode);

}  // namespace iomb::result
