// Implementation of number_text.h.
#include "harness/result/number_text.h"

#include <cmath>
#include <cstdio>

namespace iomb::result {
namespace {

std::string printf_string(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

}  // namespace

std::string three_digits(double value) {
  const double magnitude = std::abs(value);
  if (magnitude >= 100) return printf_string("%.0f", value);
  if (magnitude >= 10) return printf_string("%.1f", value);
  return printf_string("%.2f", value);
}

std::string si_text(double value) {
  const char* suffixes[] = {"", "k", "M", "G", "T"};
  int index = 0;
  while (std::abs(value) >= 1000 && index < 4) {
    value /= 1000;
    ++index;
  }
  return three_digits(value) + suffixes[index];
}

std::string nanoseconds_text(double ns) {
  if (std::abs(ns) >= 1e9) return three_digits(ns / 1e9) + "s";
  if (std::abs(ns) >= 1e6) return three_digits(ns / 1e6) + "ms";
  if (std::abs(ns) >= 1e3) return three_digits(ns / 1e3) + "us";
  return three_digits(ns) + "ns";
}

}  // namespace iomb::result
