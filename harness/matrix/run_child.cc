// Implementation of run_child.h.
#include "harness/matrix/run_child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <thread>

namespace iomb::matrix {
namespace {

int decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1000;
}

// Whether any process of group `pgid` still exists (zombies our children are reaped first).
bool group_alive(pid_t pgid) {
  int status = 0;
  while (::waitpid(-pgid, &status, WNOHANG) > 0) {
  }
  return ::kill(-pgid, 0) == 0;
}

}  // namespace

void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

RunChild::RunChild(const std::vector<std::string>& argv, const std::string& log_path) {
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) throw std::system_error(errno, std::generic_category(), "open " + log_path);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(log);
    throw std::system_error(err, std::generic_category(), "fork");
  }
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group: the terminal's Ctrl-C reaches the matrix only
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGINT, &dfl, nullptr);
    ::sigaction(SIGTERM, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: no window where a signal to the group misses it
  ::close(log);
  pid_ = pid;
}

RunChild::~RunChild() {
  if (pid_ > 0) stop(std::chrono::milliseconds(500));
}

bool RunChild::wait(const volatile std::sig_atomic_t* interrupted) {
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = decode(status);
      exited_ = true;
      // The server normally stopped before iomb run exited; reap a straggler if not.
      reap_group(std::chrono::seconds(3));
      return true;
    }
    if (r < 0 && errno != EINTR) {
      exited_ = true;
      return true;
    }
    if (interrupted != nullptr && *interrupted) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void RunChild::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return;
  if (group_alive(pid_)) ::kill(-pid_, SIGTERM);
  reap_group(grace);
  if (!exited_) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) exit_code_ = decode(status);
    exited_ = true;
  }
  pid_ = -1;
}

void RunChild::reap_group(std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (group_alive(pid_)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid_, SIGKILL);
      // SIGKILL cannot be ignored; members that are our children are reaped here, others by
      // their parent (iomb run, itself killed) or by us once re-parented.
      for (int i = 0; i < 250 && group_alive(pid_); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace iomb::matrix
