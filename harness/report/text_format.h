// Number formatting for the report tables: short, aligned-looking, "—" for missing values.
// Pure functions; any thread.
#pragma once

#include <optional>
#include <string>

namespace iomb::report {

inline constexpr const char* kMissing = "—";

std::string format_rate(double per_second);  // 950, 12.3k, 1.23M
std::string format_latency_us(double us);    // 4.21, 45.2, 312, 12,345
std::string format_ratio(double ratio);      // 0.50×
std::string format_mib(double kib);          // 12.3 MiB
std::string format_number(double value);     // 1,234,567 (rounded)
std::string format_fixed(double value, int decimals);

// "—" when empty, else format(*value).
template <typename F>
std::string or_missing(const std::optional<double>& value, F format) {
  return value ? format(*value) : std::string(kMissing);
}

}  // namespace iomb::report
