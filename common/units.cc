// Implementation of units.h.
#include "common/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace iomb {
namespace {

struct NumberAndSuffix {
  double number;
  std::string suffix;
};

NumberAndSuffix split(std::string_view text, const char* what) {
  std::string s(text);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  size_t start = i;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == start) throw std::invalid_argument(std::string("not a ") + what + ": '" + s + "'");
  double number = 0;
  try {
    number = std::stod(s.substr(start, i - start));
  } catch (const std::exception&) {
    throw std::invalid_argument(std::string("not a ") + what + ": '" + s + "'");
  }
  std::string suffix = s.substr(i);
  while (!suffix.empty() && std::isspace(static_cast<unsigned char>(suffix.front()))) {
    suffix.erase(suffix.begin());
  }
  return {number, suffix};
}

}  // namespace

uint64_t parse_size(std::string_view text) {
  auto [n, suffix] = split(text, "size");
  std::string lower;
  for (char c : suffix) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double mult = 0;
  if (lower.empty() || lower == "b")
    mult = 1;
  else if (lower == "k" || lower == "kb" || lower == "kib")
    mult = 1024.0;
  else if (lower == "m" || lower == "mb" || lower == "mib")
    mult = 1024.0 * 1024;
  else if (lower == "g" || lower == "gb" || lower == "gib")
    mult = 1024.0 * 1024 * 1024;
  else
    throw std::invalid_argument("unknown size unit in '" + std::string(text) +
                                "' (use B, KiB, MiB, GiB)");
  double v = n * mult;
  if (v > 1.8e19) throw std::invalid_argument("size too large: '" + std::string(text) + "'");
  if (v != std::floor(v))
    throw std::invalid_argument("size is not a whole number of bytes: '" + std::string(text) + "'");
  return static_cast<uint64_t>(v);
}

std::chrono::nanoseconds parse_duration(std::string_view text) {
  auto [n, suffix] = split(text, "duration");
  double mult = 0;
  if (suffix == "ns")
    mult = 1;
  else if (suffix == "us" || suffix == "µs")
    mult = 1e3;
  else if (suffix == "ms")
    mult = 1e6;
  else if (suffix.empty() || suffix == "s")
    mult = 1e9;
  else if (suffix == "m" || suffix == "min")
    mult = 60e9;
  else if (suffix == "h")
    mult = 3600e9;
  else
    throw std::invalid_argument("unknown duration unit in '" + std::string(text) +
                                "' (use ns, us, ms, s, m, h)");
  double v = n * mult;
  if (v > 9.0e18) throw std::invalid_argument("duration too long: '" + std::string(text) + "'");
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(v)));
}

std::string format_size(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 3 && std::fmod(v, 1024) == 0) {
    v /= 1024;
    ++u;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.0f%s", v, kUnits[u]);
  return buf;
}

std::string format_duration(std::chrono::nanoseconds d) {
  double ns = static_cast<double>(d.count());
  char buf[48];
  if (ns < 1e3)
    std::snprintf(buf, sizeof buf, "%.0fns", ns);
  else if (ns < 1e6)
    std::snprintf(buf, sizeof buf, "%.3gus", ns / 1e3);
  else if (ns < 1e9)
    std::snprintf(buf, sizeof buf, "%.3gms", ns / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.3gs", ns / 1e9);
  return buf;
}

}  // namespace iomb
