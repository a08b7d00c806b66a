// Implementation of child_process.h.
#include "harness/process/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <thread>
#include <utility>

extern char** environ;

namespace iomb::sampling {
namespace {

// Descriptors are first duplicated at or above this number so that placing them at 3, 4, ...
// in the child can never overwrite another source descriptor.
constexpr int kHighFd = 100;

UniqueFd make_memfd(const char* name) {
  UniqueFd fd(memfd_create(name, MFD_CLOEXEC));
  if (!fd) throw std::system_error(errno, std::generic_category(), "memfd_create");
  return fd;
}

std::string read_all(int fd) {
  std::string text;
  if (fd < 0) return text;
  char buf[4096];
  off_t offset = 0;
  for (;;) {
    ssize_t n = pread(fd, buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    offset += n;
  }
  return text;
}

class FileActions {
 public:
  FileActions() { posix_spawn_file_actions_init(&actions_); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  void dup2(int from, int to) {
    if (int rc = posix_spawn_file_actions_adddup2(&actions_, from, to); rc != 0) {
      throw std::system_error(rc, std::generic_category(), "posix_spawn_file_actions_adddup2");
    }
  }
  void open_null(int to) {
    if (int rc = posix_spawn_file_actions_addopen(&actions_, to, "/dev/null", O_RDONLY, 0);
        rc != 0) {
      throw std::system_error(rc, std::generic_category(), "posix_spawn_file_actions_addopen");
    }
  }
  const posix_spawn_file_actions_t* get() const { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

}  // namespace

ChildProcess ChildProcess::spawn(const std::vector<std::string>& argv,
                                 const std::vector<int>& pass_fds) {
  if (argv.empty()) throw std::system_error(EINVAL, std::generic_category(), "spawn: empty argv");
  ChildProcess child;
  child.out_ = make_memfd("iomb-child-stdout");
  child.err_ = make_memfd("iomb-child-stderr");

  std::vector<UniqueFd> high;  // closed after the spawn
  FileActions actions;
  actions.open_null(0);
  actions.dup2(child.out_.get(), 1);
  actions.dup2(child.err_.get(), 2);
  for (size_t i = 0; i < pass_fds.size(); ++i) {
    UniqueFd copy(fcntl(pass_fds[i], F_DUPFD_CLOEXEC, kHighFd));
    if (!copy) throw std::system_error(errno, std::generic_category(), "fcntl(F_DUPFD_CLOEXEC)");
    actions.dup2(copy.get(), 3 + static_cast<int>(i));  // dup2 clears FD_CLOEXEC on the copy
    high.push_back(std::move(copy));
  }

  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  if (int rc = posix_spawnp(&child.pid_, args[0], actions.get(), nullptr, args.data(), environ);
      rc != 0) {
    child.pid_ = -1;
    throw std::system_error(rc, std::generic_category(), "cannot start " + argv[0]);
  }
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      status_(std::exchange(other.status_, std::nullopt)),
      out_(std::move(other.out_)),
      err_(std::move(other.err_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !status_) wait_or_kill(std::chrono::milliseconds(0));
    pid_ = std::exchange(other.pid_, -1);
    status_ = std::exchange(other.status_, std::nullopt);
    out_ = std::move(other.out_);
    err_ = std::move(other.err_);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) wait_or_kill(std::chrono::milliseconds(0));
}

int ChildProcess::signal(int sig) const {
  if (pid_ <= 0 || status_) return -ESRCH;
  return ::kill(pid_, sig) == 0 ? 0 : -errno;
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t rc = waitpid(pid_, &status, WNOHANG);
    if (rc == pid_) {
      status_ = status;
      return status_;
    }
    if (rc < 0 && errno != EINTR) {
      status_ = 0;  // not our child any more (reaped elsewhere): treat as exited
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int ChildProcess::wait_or_kill(std::chrono::milliseconds grace) {
  if (auto status = wait_for(grace)) return *status;
  signal(SIGKILL);
  while (!wait_for(std::chrono::seconds(1))) {
  }
  return *status_;
}

std::string ChildProcess::stdout_text() const { return read_all(out_.get()); }
std::string ChildProcess::stderr_text() const { return read_all(err_.get()); }

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped (wait status " + std::to_string(status) + ")";
}

std::string tail_lines(const std::string& text, int max_lines) {
  size_t end = text.find_last_not_of("\n");
  if (end == std::string::npos) return "";
  size_t pos = end + 1;
  for (int lines = 0; lines < max_lines && pos > 0; ++lines) {
    size_t nl = text.rfind('\n', pos - 1);
    pos = nl == std::string::npos ? 0 : nl;
  }
  std::string tail = text.substr(pos, end + 1 - pos);
  if (!tail.empty() && tail.front() == '\n') tail.erase(0, 1);
  return tail;
}

}  // namespace iomb::sampling
