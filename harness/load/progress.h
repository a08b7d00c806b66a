// ProgressLine: the live progress line on stderr (rate, p99 of the last second, time left).
// On a terminal it rewrites one line; otherwise it prints a line every few seconds.
// Main thread only.
#pragma once

#include <cstdint>

namespace iomb::harness {

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled);
  ~ProgressLine() { finish(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // How often show() wants to be called.
  int64_t interval_ns() const { return tty_ ? 500'000'000 : 5'000'000'000; }
  void show(bool warming_up, double left_s, double rate_per_s, int64_t p99_ns);
  void finish();

 private:
  bool enabled_;
  bool tty_;
  bool shown_ = false;
};

}  // namespace iomb::harness
