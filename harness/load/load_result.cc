// Implementation of load_result.h.
#include "harness/load/load_result.h"

#include <cstdio>

namespace iomb::harness {

void LoadResult::derive(const LoadOptions& options) {
  window_s = static_cast<double>(merged.window_end_ns - merged.window_start_ns) / 1e9;
  achieved_rate = window_s > 0 ? static_cast<double>(merged.completed) / window_s : 0;
  offered_rate = options.open_loop() ? options.rate : 0;
  saturated = options.open_loop() && achieved_rate < 0.95 * offered_rate;
  client_cpu_util = window_s > 0 ? client_cpu_s / (window_s * client_cores) : 0;
  client_bound = client_cpu_util > 0.9;
  starved = merged.starved_connections > 0;
  uint64_t answered = merged.completed + merged.errors;
  error_rate =
      answered > 0 ? static_cast<double>(merged.errors) / static_cast<double>(answered) : 0;
}

void LoadResult::apply_error_limit(const LoadOptions& options) {
  if (!ok || invalid || error_rate <= options.max_error_rate) return;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%llu of %llu measured requests (%.2f %%) ended in an error, past "
                "--max-error-rate %g",
                static_cast<unsigned long long>(merged.errors),
                static_cast<unsigned long long>(merged.completed + merged.errors), error_rate * 100,
                options.max_error_rate);
  ok = false;
  error = buf;
}

std::string LoadResult::summary(const LoadOptions& options) const {
  char buf[1024];
  const Histogram& h = merged.corrected;
  auto us = [](int64_t ns) { return static_cast<double>(ns) / 1e3; };
  int n = std::snprintf(buf, sizeof buf,
                        "%s: %llu requests in %.3f s = %.0f req/s (%s client), %llu errors\n"
                        "latency%s us: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n"
                        "client cpu %.0f%% of %d core(s)%s%s\n",
                        ok ? (invalid ? "INVALID" : "ok") : "FAILED",
                        static_cast<unsigned long long>(merged.completed), window_s, achieved_rate,
                        client_io.c_str(), static_cast<unsigned long long>(merged.errors),
                        options.open_loop() ? " (corrected)" : "", us(h.percentile(50)),
                        us(h.percentile(90)), us(h.percentile(99)), us(h.percentile(99.9)),
                        us(h.max()), client_cpu_util * 100, client_cores,
                        client_bound ? "  CLIENT-BOUND" : "", saturated ? "  SATURATED" : "");
  std::string out(buf, static_cast<size_t>(std::max(0, n)));
  if (options.open_loop()) {
    const Histogram& u = merged.uncorrected;
    std::snprintf(buf, sizeof buf,
                  "uncorrected us: p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f; offered %.0f/s, "
                  "achieved %.0f/s\n",
                  us(u.percentile(50)), us(u.percentile(99)), us(u.percentile(99.9)), us(u.max()),
                  offered_rate, achieved_rate);
    out += buf;
  }
  if (options.protocol == Protocol::kHttp) {
    const ProtocolCounters& pc = merged.protocol;
    std::snprintf(buf, sizeof buf,
                  "http %s: non-2xx %llu (errors), 1xx interim %llu, server closes %llu "
                  "(requests resent %llu)\n",
                  options.path.c_str(), static_cast<unsigned long long>(pc.non_2xx),
                  static_cast<unsigned long long>(pc.interim_1xx),
                  static_cast<unsigned long long>(pc.server_closes),
                  static_cast<unsigned long long>(pc.requests_resent));
    out += buf;
    if (options.path == "/session") {
      std::snprintf(buf, sizeof buf,
                    "sessions (whole run): created %llu, lost %llu, stale %llu, skipped %llu\n",
                    static_cast<unsigned long long>(pc.sessions_created),
                    static_cast<unsigned long long>(pc.sessions_lost),
                    static_cast<unsigned long long>(pc.sessions_stale),
                    static_cast<unsigned long long>(pc.sessions_skipped));
      out += buf;
    }
  }
  if (starved) {
    std::snprintf(buf, sizeof buf,
                  "STARVED: %llu of %d connections got no reply in the whole measured window "
                  "(oldest request waiting %.0f ms); the percentiles above describe only the "
                  "connections the server served\n",
                  static_cast<unsigned long long>(merged.starved_connections), options.connections,
                  static_cast<double>(merged.oldest_outstanding_ns) / 1e6);
    out += buf;
  }
  if (!error.empty()) out += "error: " + error + "\n";
  return out;
}

}  // namespace iomb::harness
