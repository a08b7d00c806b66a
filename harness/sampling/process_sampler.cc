// Implementation of process_sampler.h.
#include "harness/sampling/process_sampler.h"

#include <algorithm>
#include <system_error>

namespace iomb::sampling {

ProcessSampler::ProcessSampler(pid_t pid, bool include_children, std::chrono::milliseconds interval,
                               std::chrono::milliseconds series_period)
    : pid_(pid),
      include_children_(include_children),
      interval_(std::max(interval, std::chrono::milliseconds(1))),
      series_period_(std::max(series_period, interval_)) {}

ProcessSampler::~ProcessSampler() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

ProcessUsage ProcessSampler::read() const {
  return include_children_ ? read_process_tree_usage(pid_) : read_process_usage(pid_);
}

void ProcessSampler::start() {
  ProcessUsage begin = read();
  std::lock_guard lock(mutex_);
  result_ = Result{};
  result_.begin = begin;
  result_.end = begin;
  result_.rss_peak_kib = begin.rss_kib;
  last_ = begin;
  started_at_ = period_start_ = Clock::now();
  period_start_cpu_s_ = begin.cpu_s();
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

bool ProcessSampler::sample_once(Clock::time_point now) {
  ProcessUsage usage;
  try {
    usage = read();
  } catch (const std::system_error& e) {
    std::lock_guard lock(mutex_);
    result_.process_gone = true;
    result_.error = e.what();
    return false;
  }
  std::lock_guard lock(mutex_);
  last_ = usage;
  result_.rss_peak_kib = std::max(result_.rss_peak_kib, usage.rss_kib);
  const double period_s = std::chrono::duration<double>(now - period_start_).count();
  if (now - period_start_ >= series_period_) {
    SamplePoint point;
    point.t_s = std::chrono::duration<double>(now - started_at_).count();
    point.cpu_util = (usage.cpu_s() - period_start_cpu_s_) / period_s;
    point.rss_kib = usage.rss_kib;
    result_.series.push_back(point);
    period_start_ = now;
    period_start_cpu_s_ = usage.cpu_s();
  }
  return true;
}

void ProcessSampler::run(std::stop_token stop) {
  auto next = Clock::now() + interval_;
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mutex_);
      // Sleeps until the next tick or until stop() is requested, whichever comes first.
      (void)wake_.wait_until(lock, stop, next, [] { return false; });
    }
    if (stop.stop_requested()) break;
    const auto now = Clock::now();
    if (!sample_once(now)) break;
    next += interval_;
    if (next < now) next = now + interval_;  // fell behind (machine busy): do not burst
  }
}

ProcessSampler::Result ProcessSampler::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  bool gone;
  {
    std::lock_guard lock(mutex_);
    gone = result_.process_gone;
  }
  if (!gone) sample_once(Clock::now());
  std::lock_guard lock(mutex_);
  result_.end = last_;
  return result_;
}

}  // namespace iomb::sampling
