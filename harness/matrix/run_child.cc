// Implementation of run_child.h.
#include "harness/matrix/run_child.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <cerrno>
#include <thread>
#include <utility>

namespace iomb::matrix {
namespace {

process::ChildProcess start(const std::vector<std::string>& argv, const std::string& log_path) {
  process::ChildProcess::Options options;
  options.argv = argv;
  options.out = process::ChildProcess::Output::kLogFile;
  options.err = process::ChildProcess::Output::kLogFile;
  options.log_path = log_path;
  options.own_group = true;  // its own group: the terminal's Ctrl-C reaches the matrix only
  return process::ChildProcess::spawn(std::move(options));
}

}  // namespace

void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

RunChild::RunChild(const std::vector<std::string>& argv, const std::string& log_path)
    : child_(start(argv, log_path)), pid_(child_.pid()) {}

RunChild::~RunChild() {
  if (pid_ > 0) stop(std::chrono::milliseconds(500));
}

bool RunChild::wait(const volatile std::sig_atomic_t* interrupted) {
  for (;;) {
    if (auto status = child_.wait_for(std::chrono::milliseconds(0))) {
      exit_code_ = process::exit_code_of(*status);
      exited_ = true;
      // The server normally stopped before iomb run exited; reap a straggler if not.
      reap_group(std::chrono::seconds(3));
      return true;
    }
    if (interrupted != nullptr && *interrupted) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void RunChild::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return;
  if (group_alive()) ::kill(-pid_, SIGTERM);
  reap_group(grace);
  if (!exited_) {
    if (auto status = child_.status()) exit_code_ = process::exit_code_of(*status);
    exited_ = true;
  }
  pid_ = -1;
}

// Whether any process of the group still exists. Exited members are reaped first: the leader
// by child_, which owns it, the others (the server, re-parented to this subreaper) here. Each
// exit is looked at with WNOWAIT so the leader is never reaped behind child_'s back.
bool RunChild::group_alive() {
  child_.wait_for(std::chrono::milliseconds(0));
  for (;;) {
    siginfo_t info{};
    if (::waitid(P_PGID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
        info.si_pid == 0) {
      break;
    }
    if (info.si_pid == pid_) {
      child_.wait_for(std::chrono::milliseconds(0));
    } else {
      int status = 0;
      ::waitpid(info.si_pid, &status, WNOHANG);
    }
  }
  return ::kill(-pid_, 0) == 0;
}

void RunChild::reap_group(std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (group_alive()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid_, SIGKILL);
      // SIGKILL cannot be ignored; members that are our children are reaped here, others by
      // their parent (iomb run, itself killed) or by us once re-parented.
      for (int i = 0; i < 250 && group_alive(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace iomb::matrix
