// Implementation of benchmark_name.h.
#include "harness/result/benchmark_name.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "common/units.h"

namespace iomb::result {
namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::optional<int64_t> parse_int(std::string_view text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// Rates are decimal: "20000", "2.5e4", "20k", "1.5M".
std::optional<double> parse_rate(std::string_view text) {
  double scale = 1;
  if (!text.empty() && (text.back() == 'k' || text.back() == 'K')) scale = 1e3;
  if (!text.empty() && text.back() == 'M') scale = 1e6;
  if (scale != 1) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  try {
    size_t used = 0;
    double value = std::stod(std::string(text), &used);
    if (used != text.size() || !std::isfinite(value) || value < 0) return std::nullopt;
    return value * scale;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<uint64_t> parse_bytes(std::string_view text) {
  try {
    return parse_size(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::string BenchmarkName::model_mode() const { return mode.empty() ? model : model + ":" + mode; }

std::string BenchmarkName::format() const {
  std::string name = protocol + "/" + model_mode() + "/c:" + std::to_string(connections) +
                     "/d:" + std::to_string(depth) + "/s:" + std::to_string(size);
  if (rate) {
    char buf[32];
    if (*rate == std::floor(*rate)) {
      std::snprintf(buf, sizeof buf, "%.0f", *rate);
    } else {
      std::snprintf(buf, sizeof buf, "%g", *rate);
    }
    name += "/r:" + std::string(buf);
  }
  if (!path.empty()) name += "/p:" + path;
  return name;
}

std::string BenchmarkName::canonical_name() const {
  std::string name = protocol + "/" + model_mode() + "/c:" + std::to_string(connections) +
                     "/d:" + std::to_string(depth) + "/s:" + std::to_string(size);
  if (rate) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", *rate);
    name += "/r:" + std::string(buf);
  }
  return name;
}

std::optional<BenchmarkName> BenchmarkName::parse(std::string_view name) {
  auto parts = split(name, '/');
  if (parts.size() < 2 || parts[0].empty() || parts[1].empty()) return std::nullopt;
  BenchmarkName key;
  key.protocol = std::string(parts[0]);
  size_t colon = parts[1].find(':');
  key.model = std::string(parts[1].substr(0, colon));
  if (colon != std::string_view::npos) key.mode = std::string(parts[1].substr(colon + 1));
  if (key.model.empty()) return std::nullopt;
  bool any_known = false;
  for (size_t i = 2; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    size_t sep = part.find(':');
    if (sep == std::string_view::npos) continue;
    std::string_view k = part.substr(0, sep);
    std::string_view v = part.substr(sep + 1);
    any_known = any_known || k == "c" || k == "d" || k == "s" || k == "r";
    if (k == "c" || k == "d") {
      auto n = parse_int(v);
      if (!n) return std::nullopt;
      (k == "c" ? key.connections : key.depth) = *n;
    } else if (k == "s") {
      auto n = parse_bytes(v);
      if (!n) return std::nullopt;
      key.size = *n;
    } else if (k == "r") {
      auto r = parse_rate(v);
      if (!r) return std::nullopt;
      key.rate = *r;
    } else if (k == "p") {
      key.path = std::string(v);
    }
  }
  if (!any_known) return std::nullopt;  // another Google Benchmark's entry ("BM_Foo/64")
  return key;
}

bool matches_model(const BenchmarkName& key, std::string_view model_mode) {
  if (model_mode.find(':') == std::string_view::npos) return key.model == model_mode;
  return key.model_mode() == model_mode;
}

}  // namespace iomb::result
