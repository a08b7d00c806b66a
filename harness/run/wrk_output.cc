// Implementation of wrk_output.h. wrk prints durations with a unit suffix (us, ms, s, m, h)
// and byte counts with binary prefixes (KB = 1024 B), both from its own formatting code.
#include "harness/run/wrk_output.h"

#include <cstdlib>
#include <regex>

namespace iomb::harness {
namespace {

// "12.34ms" -> microseconds; nullopt for an unknown unit.
std::optional<double> to_us(double value, const std::string& unit) {
  if (unit == "us") return value;
  if (unit == "ms") return value * 1e3;
  if (unit == "s") return value * 1e6;
  if (unit == "m") return value * 60e6;
  if (unit == "h") return value * 3600e6;
  return std::nullopt;
}

double to_bytes(double value, const std::string& unit) {
  double scale = 1;
  for (const char* p : {"KB", "MB", "GB", "TB", "PB"}) {
    scale *= 1024;
    if (unit == p) return value * scale;
  }
  return value;
}

std::optional<std::smatch> find(const std::string& text, const std::regex& re) {
  std::smatch m;
  if (!std::regex_search(text, m, re)) return std::nullopt;
  return m;
}

}  // namespace

WrkOutput parse_wrk_output(const std::string& text) {
  WrkOutput out;
  static const std::regex total(
      R"((\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)([KMGTP]?B) read)");
  static const std::regex rate(R"(Requests/sec:\s+([\d.]+))");
  static const std::regex latency(
      R"(\n\s*Latency\s+[\d.]+\w+\s+[\d.]+\w+\s+([\d.]+)(us|ms|s|m|h)(?=\s))");
  static const std::regex row(R"(\n\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)(?=\s))");
  static const std::regex sockets(
      R"(Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+))");
  static const std::regex non2xx(R"(Non-2xx or 3xx responses: (\d+))");

  auto t = find(text, total);
  auto r = find(text, rate);
  if (!t || !r) {
    out.error = "no request summary in wrk's output";
    return out;
  }
  out.requests = std::strtoull((*t)[1].str().c_str(), nullptr, 10);
  out.duration_s = to_us(std::atof((*t)[2].str().c_str()), (*t)[3].str()).value_or(0) / 1e6;
  out.bytes_read = to_bytes(std::atof((*t)[4].str().c_str()), (*t)[5].str());
  out.requests_per_second = std::atof((*r)[1].str().c_str());
  if (auto l = find(text, latency)) out.max_us = to_us(std::atof((*l)[1].str().c_str()), (*l)[2]);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), row); it != std::sregex_iterator();
       ++it) {
    const std::smatch& m = *it;
    std::optional<double> v = to_us(std::atof(m[2].str().c_str()), m[3].str());
    const std::string which = m[1].str();
    if (which == "50") out.p50_us = v;
    if (which == "75") out.p75_us = v;
    if (which == "90") out.p90_us = v;
    if (which == "99") out.p99_us = v;
  }
  if (auto s = find(text, sockets)) {
    for (int i = 1; i <= 4; ++i)
      out.socket_errors += std::strtoull((*s)[i].str().c_str(), nullptr, 10);
  }
  if (auto n = find(text, non2xx)) out.non_2xx = std::strtoull((*n)[1].str().c_str(), nullptr, 10);
  out.ok = true;
  return out;
}

}  // namespace iomb::harness
