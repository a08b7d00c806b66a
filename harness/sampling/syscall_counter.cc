// Implementation of syscall_counter.h.
#include "harness/sampling/syscall_counter.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <system_error>

#include "harness/process/child_process.h"
#include "harness/sampling/perf_stat_output.h"

namespace iomb::sampling {
namespace {

using process::ChildProcess;
using process::describe_wait_status;
using process::tail_lines;

constexpr char kSyscallEvent[] = "raw_syscalls:sys_enter";
constexpr char kSwitchEvent[] = "context-switches";
constexpr char kMigrationEvent[] = "cpu-migrations";
constexpr auto kAckTimeout = std::chrono::seconds(5);

std::string events() {
  return std::string(kSyscallEvent) + "," + kSwitchEvent + "," + kMigrationEvent;
}

// Sends a control command and waits for perf's "ack\n". Returns "" or the reason it failed.
std::string command(int fd, const char* text) {
  std::string line = std::string(text) + "\n";
  if (send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    return std::string("perf control '") + text + "' not delivered: perf exited";
  }
  std::string reply;
  const auto deadline = std::chrono::steady_clock::now() + kAckTimeout;
  while (reply.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::string("perf did not acknowledge '") + text + "'";
    pollfd pfd{fd, POLLIN, 0};
    int rc = poll(&pfd, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    char buf[64];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::string("perf exited before acknowledging '") + text + "'";
    reply.append(buf, static_cast<size_t>(n));
  }
  if (reply.rfind("ack", 0) != 0) return "unexpected perf control reply '" + reply + "'";
  return "";
}

std::string perf_failure(ChildProcess& perf, const std::string& what) {
  int status = perf.wait_or_kill(std::chrono::seconds(2));
  std::string tail = tail_lines(perf.stderr_text(), 3);
  return what + " (perf " + describe_wait_status(status) + (tail.empty() ? "" : ": " + tail) + ")";
}

SyscallCounter::Counts counts_from(const std::string& output) {
  SyscallCounter::Counts counts;
  PerfCounts parsed = parse_perf_stat_csv(output);
  auto syscalls = parsed.values.find(kSyscallEvent);
  if (syscalls == parsed.values.end()) {
    auto marker = parsed.unavailable.find(kSyscallEvent);
    counts.error = marker != parsed.unavailable.end()
                       ? std::string(kSyscallEvent) + " " + marker->second
                       : "perf printed no count for " + std::string(kSyscallEvent) + ": " +
                             tail_lines(output, 3);
    return counts;
  }
  counts.syscalls = syscalls->second;
  if (auto it = parsed.values.find(kSwitchEvent); it != parsed.values.end()) {
    counts.context_switches = it->second;
  }
  if (auto it = parsed.values.find(kMigrationEvent); it != parsed.values.end()) {
    counts.cpu_migrations = it->second;
  }
  counts.ok = true;
  return counts;
}

}  // namespace

bool SyscallCounter::available(std::string* why) {
  static std::once_flag once;
  static std::string reason;  // empty = available
  std::call_once(once, [] {
    try {
      ChildProcess probe = ChildProcess::spawn({"perf", "stat", "-x,", "-e", events(), "true"});
      auto status = probe.wait_for(std::chrono::seconds(10));
      if (!status) {
        probe.wait_or_kill(std::chrono::milliseconds(0));
        reason = "perf stat did not finish within 10 s";
        return;
      }
      if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
        reason = "perf stat " + describe_wait_status(*status) + ": " +
                 tail_lines(probe.stderr_text(), 3);
        return;
      }
      Counts counts = counts_from(probe.stderr_text());
      if (!counts.ok)
        reason = counts.error;
      else if (counts.syscalls == 0)
        reason = "perf counted no syscalls for `true`";
    } catch (const std::system_error& e) {
      reason = std::string("perf not usable: ") + e.what();
    }
  });
  if (!reason.empty() && why != nullptr) *why = reason;
  return reason.empty();
}

SyscallCounter::SyscallCounter() = default;

SyscallCounter::~SyscallCounter() {
  if (control_fd_ >= 0) close(control_fd_);
  if (perf_) {
    perf_->signal(SIGINT);
    perf_->wait_or_kill(std::chrono::seconds(2));
  }
}

void SyscallCounter::start(pid_t pid) { start(std::vector<pid_t>{pid}); }

void SyscallCounter::start(const std::vector<pid_t>& pids) {
  start_error_.clear();
  std::string pid_list;
  for (pid_t pid : pids) pid_list += (pid_list.empty() ? "" : ",") + std::to_string(pid);
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    start_error_ = std::string("socketpair: ") + std::strerror(errno);
    return;
  }
  control_fd_ = pair[0];
  try {
    // The child's end is both perf's control (3) and acknowledgement (4) descriptor. -D -1
    // creates the counters disabled; "enable" starts the window once they are attached.
    perf_ = std::make_unique<ChildProcess>(ChildProcess::spawn(
        {"perf", "stat", "-x,", "-e", events(), "-D", "-1", "--control", "fd:3,4", "-p", pid_list},
        {pair[1], pair[1]}));
  } catch (const std::system_error& e) {
    start_error_ = std::string("perf not usable: ") + e.what();
  }
  close(pair[1]);
  if (!perf_) return;
  if (std::string error = command(control_fd_, "enable"); !error.empty()) {
    start_error_ = perf_failure(*perf_, error);
  }
}

SyscallCounter::Counts SyscallCounter::stop() {
  Counts counts;
  if (!start_error_.empty() || !perf_) {
    counts.error = start_error_.empty() ? "SyscallCounter::stop() without start()" : start_error_;
    perf_.reset();
    return counts;
  }
  // If the target exited, perf may have finished on its own and the disable cannot be
  // delivered; its final counts are still in its output.
  std::string disable_error = command(control_fd_, "disable");
  close(control_fd_);
  control_fd_ = -1;
  perf_->signal(SIGINT);
  int status = perf_->wait_or_kill(std::chrono::seconds(5));
  const std::string output = perf_->stderr_text();
  perf_.reset();
  counts = counts_from(output);
  if (!counts.ok && !disable_error.empty()) {
    counts.error = disable_error + " (perf " + describe_wait_status(status) + "): " + counts.error;
  }
  return counts;
}

}  // namespace iomb::sampling
