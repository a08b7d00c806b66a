// RunChild: one `iomb run` child of the matrix, in its own process group so that the server it
// starts (same group) can be stopped with it. The matrix is a child subreaper, so a server
// orphaned by a killed `iomb run` is re-parented to the matrix and reaped here; after
// finish() or stop() nothing of the group is left. Owned by the matrix's main thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include "harness/process/child_process.h"

namespace iomb::matrix {

// Makes this process the reaper of its orphaned descendants (PR_SET_CHILD_SUBREAPER).
void become_subreaper();

class RunChild {
 public:
  // Starts argv (argv[0] is the executable's path) with stdout and stderr appended to
  // log_path. Throws std::system_error when it cannot fork or open the log.
  RunChild(const std::vector<std::string>& argv, const std::string& log_path);
  ~RunChild();  // stop() if still running
  RunChild(const RunChild&) = delete;
  RunChild& operator=(const RunChild&) = delete;

  pid_t pid() const { return pid_; }

  // Waits until the child exits or *interrupted becomes nonzero (checked every 20 ms).
  // Returns true when the child exited on its own; exit_code() then holds its code
  // (-signal when killed by a signal).
  bool wait(const volatile std::sig_atomic_t* interrupted);
  int exit_code() const { return exit_code_; }

  // SIGTERM to the whole group (iomb run and its server), up to `grace` for it to empty, then
  // SIGKILL; reaps every member that became our child.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(3));

 private:
  void reap_group(std::chrono::milliseconds grace);
  bool group_alive();

  process::ChildProcess child_;
  pid_t pid_ = -1;
  int exit_code_ = -1000;
  bool exited_ = false;
};

}  // namespace iomb::matrix
