// ChildProcess: runs a helper program (perf, iomb-floor) with its stdout and stderr captured in
// anonymous memory files (no pipe to drain, so a chatty child can never block on a full pipe),
// and optionally passes some descriptors to it. Owned by one thread; the destructor kills and
// reaps a child that is still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/unique_fd.h"

namespace iomb::sampling {

class ChildProcess {
 public:
  // Starts argv[0] (looked up in PATH) with argv. pass_fds[i] of this process becomes
  // descriptor 3 + i in the child. Throws std::system_error if the program cannot be started.
  static ChildProcess spawn(const std::vector<std::string>& argv,
                            const std::vector<int>& pass_fds = {});

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // Sends sig if the child has not been reaped yet. Returns 0 or -errno.
  int signal(int sig) const;
  // Waits up to timeout for the child to exit. Returns its wait status, or nullopt on timeout.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // Waits up to grace, then SIGKILLs and reaps. Returns the wait status.
  int wait_or_kill(std::chrono::milliseconds grace);

  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  std::optional<int> status_;  // set once reaped
  UniqueFd out_, err_;
};

// "exited with status 3" / "killed by signal 9" from a wait status.
std::string describe_wait_status(int status);

// The last max_lines lines of text, for error messages.
std::string tail_lines(const std::string& text, int max_lines);

}  // namespace iomb::sampling
