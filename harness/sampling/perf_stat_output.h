// Parser for `perf stat -x,` output (CSV lines "value,unit,event,run-time,percent,..."). Pure
// function; any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace iomb::sampling {

struct PerfCounts {
  std::map<std::string, uint64_t> values;          // event name -> count
  std::map<std::string, std::string> unavailable;  // event name -> "<not supported>" ...
};

// Lines that are not counter lines (perf's "Events enabled" notes, blank lines) are ignored.
// "<not counted>" (the event never ran: the target did not run in the window) counts as 0;
// "<not supported>" and other markers go to `unavailable`.
PerfCounts parse_perf_stat_csv(std::string_view text);

}  // namespace iomb::sampling
