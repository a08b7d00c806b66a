// ChildProcess: the one way the harness (and its integration tests) starts a child: a server
// under test, an `iomb run` of the matrix, perf, iomb-floor, gnuplot, a browser. It owns the
// child from fork to reap: argv, environment additions, working directory, CPU affinity,
// process group, parent-death signal, stdin from /dev/null, and where stdout and stderr go
// (inherited, /dev/null, a log file, captured in full, or captured as a bounded tail that a
// reader thread drains, so a child that prints forever neither blocks nor grows the harness).
// Owned by one thread; the reader thread is internal. The destructor kills and reaps a child
// that is still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/process/executable_path.h"

namespace iomb::process {

class ChildProcess {
 public:
  enum class Output {
    kInherit,  // the harness's own descriptor
    kNull,     // /dev/null
    kLogFile,  // appended to Options::log_path (stdout and stderr share the file)
    kCapture,  // kept in full in an anonymous memory file: no pipe to drain, never blocks
    kTail,     // a pipe drained by the reader thread; the last tail_bytes are kept
  };

  struct Options {
    // argv[0] is a path, or a name looked up in PATH before the fork.
    std::vector<std::string> argv;
    std::vector<std::string> env;  // "NAME=value" added to (or replacing in) the environment
    std::string cwd;               // empty: the harness's
    std::vector<int> cpus;         // empty: the harness's affinity
    Output out = Output::kCapture;
    Output err = Output::kCapture;
    std::string log_path;             // for kLogFile
    size_t tail_bytes = 64 * 1024;    // per kTail stream, and for the unread stdout lines
    std::vector<int> pass_fds;        // pass_fds[i] becomes descriptor 3 + i in the child
    bool own_group = false;           // a new process group led by the child
    bool kill_group_on_exit = false;  // with own_group: SIGKILL what is left when it exits
    int parent_death_signal = 0;      // sent to the child when the harness thread dies
  };

  // Starts the child with default signal dispositions and an empty signal mask. Throws
  // std::system_error when it cannot start (missing program, exec failure, bad log path).
  static ChildProcess spawn(Options options);
  // argv with every output captured in full; argv[0] is looked up in PATH.
  static ChildProcess spawn(const std::vector<std::string>& argv,
                            const std::vector<int>& pass_fds = {});

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();

  pid_t pid() const;
  // Sends sig to the child (to its group with own_group) unless it has been reaped. Returns
  // 0 or -errno.
  int signal(int sig) const;
  // Waits up to timeout for the child to exit and reaps it. Returns its wait status, or
  // nullopt on timeout. Once reaped, returns the same status at once.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // Waits up to grace, then SIGKILLs (the group with own_group) and reaps.
  int wait_or_kill(std::chrono::milliseconds grace);
  // SIGTERM, up to grace to exit, then SIGKILL. Returns the wait status.
  int terminate(std::chrono::milliseconds grace);
  // The wait status once reaped.
  std::optional<int> status() const;

  // The next complete stdout line (kTail only, without the newline), waiting until deadline.
  // False at the deadline, or once stdout is closed and every line has been read.
  bool read_line(std::string* line, std::chrono::steady_clock::time_point deadline);

  // kCapture: everything so far; kTail: the last tail_bytes; otherwise "".
  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  struct State;
  explicit ChildProcess(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The exit code, or -signal when killed by one.
int exit_code_of(int wait_status);

// "exited with status 3" / "killed by signal 9" from a wait status.
std::string describe_wait_status(int status);

// The last max_lines lines of text, for error messages.
std::string tail_lines(const std::string& text, int max_lines);

}  // namespace iomb::process
