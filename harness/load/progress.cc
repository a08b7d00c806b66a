// Implementation of progress.h.
#include "harness/load/progress.h"

#include <unistd.h>

#include <cstdio>

namespace iomb::harness {

ProgressLine::ProgressLine(bool enabled) : enabled_(enabled), tty_(::isatty(STDERR_FILENO) == 1) {}

void ProgressLine::show(bool warming_up, double left_s, double rate_per_s, int64_t p99_ns) {
  if (!enabled_) return;
  std::fprintf(stderr, "%s[iomb] %s %8.0f req/s  p99 %8.1f us  %5.1f s left%s", tty_ ? "\r" : "",
               warming_up ? "warm-up" : "measure", rate_per_s, static_cast<double>(p99_ns) / 1e3,
               left_s, tty_ ? "\033[K" : "\n");
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::finish() {
  if (enabled_ && tty_ && shown_) std::fputc('\n', stderr);
  shown_ = false;
}

}  // namespace iomb::harness
