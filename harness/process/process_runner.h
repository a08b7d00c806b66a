// run_process: runs a helper program (gnuplot, a headless browser in tests) to completion with
// a time limit: stdin from /dev/null, stdout and stderr appended to a log file, its own process
// group (killed as a whole on timeout, and swept after exit so no helper child outlives the
// call), default signal mask and dispositions. A thin use of ChildProcess that turns its
// outcome into an error message. Blocking; any thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace iomb::process {

struct ProcessResult {
  bool started = false;
  int exit_code = -1;  // -1 when killed by a signal or not started
  bool timed_out = false;
  std::string error;  // why it did not start, or how it ended abnormally

  bool ok() const { return started && !timed_out && exit_code == 0; }
};

// argv[0] is the program path. `cwd` empty = the current directory; `log_path` empty =
// /dev/null.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd,
                          const std::string& log_path, std::chrono::milliseconds timeout);

}  // namespace iomb::process
