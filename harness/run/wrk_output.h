// WrkOutput: the numbers of one `wrk --latency` run, parsed from the text wrk prints (it has no
// machine-readable output without a Lua script). Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace iomb::harness {

struct WrkOutput {
  bool ok = false;
  std::string error;  // why the text could not be read
  uint64_t requests = 0;
  double duration_s = 0;  // wrk's own measured window ("N requests in 10.00s")
  double bytes_read = 0;
  double requests_per_second = 0;
  std::optional<double> p50_us, p75_us, p90_us, p99_us;  // the "Latency Distribution" rows
  std::optional<double> max_us;                          // the Latency row's Max column
  // connect + read + write + timeout: wrk counts a socket error per failed call, not per
  // request, so this is an upper bound on the requests it cost.
  uint64_t socket_errors = 0;
  // wrk's "Non-2xx or 3xx responses" counts statuses above 399 only.
  uint64_t non_2xx = 0;

  uint64_t errors() const { return socket_errors + non_2xx; }
};

// Parses the stdout of `wrk --latency`; ok=false (with error) when the summary lines are
// missing, e.g. wrk could not connect at all.
WrkOutput parse_wrk_output(const std::string& text);

}  // namespace iomb::harness
