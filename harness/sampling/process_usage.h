// What a process costs the machine, read from /proc (another process) or getrusage (this one):
// CPU time, RSS, threads, context switches. Pure reads; any thread.
//
// Precision and coverage (kernel facts the numbers depend on):
// - user_s/sys_s come from /proc/<pid>/stat, which reports the whole thread group including
//   threads that have already exited, in clock ticks (usually 10 ms).
// - voluntary_ctx/involuntary_ctx are per thread in /proc; the sum is over the threads alive at
//   the time of the read, so switches of threads that already exited are missing (the
//   thread-per-connection server with churn undercounts). read_self_usage() has exact totals.
//   A window's count must therefore be taken per thread (ctx_switches_between): a difference
//   of the two sums goes negative when a thread alive at the start (bio's warm-up connection)
//   has exited by the end.
// - rss_peak_kib is VmHWM, the peak over the life of the process (not of a window: use
//   ProcessSampler for that).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>

namespace iomb::sampling {

struct ProcessUsage {
  double user_s = 0;
  double sys_s = 0;
  long rss_kib = 0;
  long rss_peak_kib = 0;
  int threads = 0;
  uint64_t voluntary_ctx = 0;
  uint64_t involuntary_ctx = 0;
  std::map<pid_t, uint64_t> thread_ctx;  // per live thread: voluntary + involuntary (from /proc)

  double cpu_s() const { return user_s + sys_s; }
};

// Whole process (all threads). Throws std::system_error (ESRCH) if the process is gone or is a
// zombie. Children are NOT included.
ProcessUsage read_process_usage(pid_t pid);

// Sum over pid and all its live descendants (for --processes N supervisors). rss_peak_kib is
// the sum of the per-process peaks, an upper bound of the tree's simultaneous peak. Throws
// std::system_error if pid itself is gone.
ProcessUsage read_process_tree_usage(pid_t pid);

// This process, from getrusage(RUSAGE_SELF) (exact context switch totals) plus VmRSS and the
// thread count from /proc/self/status.
ProcessUsage read_self_usage();

// a + b field by field (rss_peak_kib summed as well; the per-thread maps merged).
ProcessUsage operator+(const ProcessUsage& a, const ProcessUsage& b);

// The context switches between two reads of one process (tree): per thread alive at `end`, its
// count minus its count at `begin` (all of it for a thread born in between). A thread that
// exited in between loses its switches in the window (/proc keeps no total), but never makes
// the count negative. Reads without per-thread counts (read_self_usage) use the totals.
uint64_t ctx_switches_between(const ProcessUsage& begin, const ProcessUsage& end);

}  // namespace iomb::sampling

// ProcessSampler (the background sampler) belongs to the same API surface.
#include "harness/sampling/process_sampler.h"
