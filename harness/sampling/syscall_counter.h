// SyscallCounter: counts the syscalls and context switches of a running process with
// `perf stat -x, -e raw_syscalls:sys_enter,context-switches,cpu-migrations -p PID`. The events
// start disabled and are switched on and off through perf's --control descriptors with an
// acknowledgement, so the counting window is exactly start()..stop() (perf attaching late or
// exiting slowly cannot shift it). Threads the target creates after start() are counted
// (perf inherits counters to new threads); processes that were already running beside it are
// not (pass them all). Owned by one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace iomb::process {
class ChildProcess;
}

namespace iomb::sampling {

class SyscallCounter {
 public:
  struct Counts {
    uint64_t syscalls = 0;
    uint64_t context_switches = 0;
    uint64_t cpu_migrations = 0;
    bool ok = false;
    std::string error;  // why, when !ok
  };

  // Whether perf can count raw_syscalls:sys_enter here (probes once per process: runs
  // `perf stat ... true`); *why gets the reason when not.
  static bool available(std::string* why);

  SyscallCounter();
  SyscallCounter(const SyscallCounter&) = delete;
  SyscallCounter& operator=(const SyscallCounter&) = delete;
  ~SyscallCounter();

  // Starts perf on pid (or several pids) and enables counting; returns once perf acknowledged
  // (bounded wait). Failures are reported by stop().
  void start(pid_t pid);
  void start(const std::vector<pid_t>& pids);
  // Disables counting, stops perf and returns the counts of the window.
  Counts stop();

 private:
  std::unique_ptr<process::ChildProcess> perf_;
  int control_fd_ = -1;  // our end of the control socket
  std::string start_error_;
};

}  // namespace iomb::sampling
