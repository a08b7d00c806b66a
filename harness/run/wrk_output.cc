// Implementation of wrk_output.h. wrk prints durations with a unit suffix (us, ms, s, m, h)
// and byte counts with binary prefixes (KB = 1024 B), both from its own formatting code.
#include "harness/run/wrk_output.h"

#include <cctype>
#include <cstdlib>
#include <sstream>
#include <vector>

// Line by line with plain token reads: std::regex trips GCC 12's -Wmaybe-uninitialized under
// ASan, which CI's -Werror makes fatal.
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

// "12.34ms" -> {12.34, "ms"}; nullopt when it does not start with a digit.
std::optional<std::pair<double, std::string>> number_and_unit(const std::string& token) {
  size_t end = 0;
  while (end < token.size() &&
         (std::isdigit(static_cast<unsigned char>(token[end])) || token[end] == '.')) {
    ++end;
  }
  if (end == 0) return std::nullopt;
  return std::make_pair(std::atof(token.substr(0, end).c_str()), token.substr(end));
}

std::optional<double> duration_us(const std::string& token) {
  auto n = number_and_unit(token);
  return n ? to_us(n->first, n->second) : std::nullopt;
}

std::vector<std::string> tokens_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

uint64_t count(const std::string& token) { return std::strtoull(token.c_str(), nullptr, 10); }

}  // namespace

WrkOutput parse_wrk_output(const std::string& text) {
  WrkOutput out;
  bool have_total = false;
  bool have_rate = false;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const std::vector<std::string> t = tokens_of(line);
    if (t.empty()) continue;
    // "Latency 631.00us 150.26us 2.29ms 74.43%": avg, stdev, max, within one stdev.
    if (t[0] == "Latency" && t.size() >= 4 && number_and_unit(t[1])) {
      out.max_us = duration_us(t[3]);
    } else if (t.size() >= 2 &&
               (t[0] == "50%" || t[0] == "75%" || t[0] == "90%" || t[0] == "99%")) {
      std::optional<double> v = duration_us(t[1]);
      if (t[0] == "50%") out.p50_us = v;
      if (t[0] == "75%") out.p75_us = v;
      if (t[0] == "90%") out.p90_us = v;
      if (t[0] == "99%") out.p99_us = v;
    } else if (t.size() >= 6 && t[1] == "requests" && t[2] == "in" && t[5] == "read") {
      // "123456 requests in 10.00s, 12.34MB read"
      std::string window = t[3];
      if (!window.empty() && window.back() == ',') window.pop_back();
      auto bytes = number_and_unit(t[4]);
      if (!number_and_unit(t[0]) || !duration_us(window) || !bytes) continue;
      out.requests = count(t[0]);
      out.duration_s = *duration_us(window) / 1e6;
      out.bytes_read = to_bytes(bytes->first, bytes->second);
      have_total = true;
    } else if (t[0] == "Requests/sec:" && t.size() >= 2) {
      out.requests_per_second = std::atof(t[1].c_str());
      have_rate = true;
    } else if (t.size() >= 10 && t[0] == "Socket" && t[1] == "errors:") {
      // "Socket errors: connect 0, read 0, write 0, timeout 0"
      for (size_t i : {3, 5, 7, 9}) out.socket_errors += count(t[i]);
    } else if (t.size() >= 5 && t[0] == "Non-2xx" && t[3] == "responses:") {
      out.non_2xx = count(t[4]);
    }
  }
  if (!have_total || !have_rate) {
    out.error = "no request summary in wrk's output";
    return out;
  }
  out.ok = true;
  return out;
}

}  // namespace iomb::harness
