// ProcessSampler: a background thread that samples one process (or its whole tree) from /proc
// between start() and stop(), tracking the RSS peak of that window and a per-period series of
// CPU use and RSS. start()/stop() from one owning thread; the sampling thread is internal.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "harness/sampling/process_usage.h"

namespace iomb::sampling {

struct SamplePoint {
  double t_s = 0;       // end of the period, seconds since start()
  double cpu_util = 0;  // CPU seconds per wall second over the period (1.0 = one full core)
  long rss_kib = 0;     // RSS at the end of the period
};

class ProcessSampler {
 public:
  using SamplePoint = sampling::SamplePoint;
  struct Result {
    ProcessUsage begin, end;
    long rss_peak_kib = 0;  // largest RSS seen in the window (sampled every interval)
    std::vector<SamplePoint> series;
    bool process_gone = false;  // the process exited before stop(): end is the last sample
    std::string error;
  };

  // Only full series periods produce a point; a window shorter than one period has none.
  explicit ProcessSampler(pid_t pid, bool include_children,
                          std::chrono::milliseconds interval = std::chrono::milliseconds(100),
                          std::chrono::milliseconds series_period = std::chrono::seconds(1));
  ProcessSampler(const ProcessSampler&) = delete;
  ProcessSampler& operator=(const ProcessSampler&) = delete;
  ~ProcessSampler();

  // Takes the begin sample (throws std::system_error if the process is gone) and starts the
  // sampling thread.
  void start();
  // Stops the thread and takes the end sample. Call once, after start().
  Result stop();

 private:
  using Clock = std::chrono::steady_clock;
  ProcessUsage read() const;
  // Takes one sample; returns false once the process is gone.
  bool sample_once(Clock::time_point now);
  void run(std::stop_token stop);

  const pid_t pid_;
  const bool include_children_;
  const std::chrono::milliseconds interval_;
  const std::chrono::milliseconds series_period_;

  std::mutex mutex_;  // guards everything below once the thread runs
  std::condition_variable_any wake_;
  Result result_;
  ProcessUsage last_;
  Clock::time_point started_at_;
  Clock::time_point period_start_;
  double period_start_cpu_s_ = 0;
  std::jthread thread_;
};

}  // namespace iomb::sampling
