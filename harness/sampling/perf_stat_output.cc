// Implementation of perf_stat_output.h.
#include "harness/sampling/perf_stat_output.h"

#include <charconv>

#include "harness/sampling/text_fields.h"

namespace iomb::sampling {
PerfCounts parse_perf_stat_csv(std::string_view text) {
  PerfCounts counts;
  for (std::string_view line : split(text, '\n')) {
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
