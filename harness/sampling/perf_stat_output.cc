// Implementation of perf_stat_output.h.
#include "harness/sampling/perf_stat_output.h"

#include <charconv>
#include <vector>

namespace iomb::sampling {
namespace {

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  for (;;) {
    size_t next = line.find(sep, pos);
    if (next == std::string_view::npos) {
      out.push_back(line.substr(pos));
      return out;
    }
    out.push_back(line.substr(pos, next - pos));
    pos = next + 1;
  }
}

}  // namespace

PerfCounts parse_perf_stat_csv(std::string_view text) {
  PerfCounts counts;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    auto fields = split(line, ',');
    if (fields.size() < 3 || fields[2].empty()) continue;
    std::string event(fields[2]);
    std::string_view value = fields[0];
    if (value == "<not counted>") {
      counts.values[event] = 0;
      continue;
    }
    if (!value.empty() && value.front() == '<') {
      counts.unavailable[event] = std::string(value);
      continue;
    }
    // perf prints integers for these events; a decimal point (e.g. task-clock) is cut off.
    uint64_t number = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc() || ptr == value.data()) continue;
    counts.values[event] = number;
  }
  return counts;
}

}  // namespace iomb::sampling
