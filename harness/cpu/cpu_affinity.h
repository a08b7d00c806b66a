// CPU pinning for runs (DESIGN §4.2): the CPUs this process may use, the default split between
// server and load generator, and pinning a whole process or the calling thread. Any thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "harness/cpu/cpu_list.h"

namespace iomb::cpu {

// sched_getaffinity of this process, sorted. Throws std::system_error if the call fails.
std::vector<int> allowed_cpus();

struct CpuPlan {
  std::vector<int> server, client;
  bool pinned = false;  // false: do not pin (server and client would share CPUs)
  std::string note;     // one line for the result context and the log
};

// Default per DESIGN §4.2: the server on the last allowed CPU, the client on the rest. With one
// CPU (or none) pinned=false, both lists hold what there is, and the note says the run is
// unpinned.
CpuPlan default_cpu_plan(const std::vector<int>& allowed);
CpuPlan default_cpu_plan();  // with allowed_cpus()

// Pins every thread of pid (threads created later inherit the mask from their creator).
// Returns 0 or -errno (-ESRCH if the process is gone, -EINVAL for an empty or impossible set).
int pin_process(pid_t pid, const std::vector<int>& cpus);
// pin_process for pid and every live descendant (a --processes N supervisor and its workers).
int pin_process_tree(pid_t pid, const std::vector<int>& cpus);
// Pins the calling thread. Returns 0 or -errno.
int pin_this_thread(const std::vector<int>& cpus);

}  // namespace iomb::cpu
