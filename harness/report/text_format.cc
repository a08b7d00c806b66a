// Implementation of text_format.h.
#include "harness/report/text_format.h"

#include <cmath>
#include <cstdio>

namespace iomb::report {

std::string format_fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string format_number(double value) {
  std::string digits = format_fixed(std::fabs(value), 0);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (value < 0 && digits != "0" ? "-" : "") + out;
}

std::string format_rate(double r) {
  if (r >= 1e6) return format_fixed(r / 1e6, 2) + "M";
  if (r >= 1e4) return format_fixed(r / 1e3, 1) + "k";
  return format_number(r);
}

std::string format_latency_us(double us) {
  if (us >= 1000) return format_number(us);
  if (us >= 100) return format_fixed(us, 0);
  if (us >= 10) return format_fixed(us, 1);
  return format_fixed(us, 2);
}

std::string format_ratio(double ratio) { return format_fixed(ratio, 2) + "×"; }

std::string format_mib(double kib) {
  double mib = kib / 1024;
  return format_fixed(mib, mib >= 100 ? 0 : 1) + " MiB";
}

}  // namespace iomb::report
