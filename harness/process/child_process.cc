// Implementation of child_process.h.
#include "harness/process/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "common/unique_fd.h"

extern char** environ;

namespace iomb::process {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void throw_errno(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), what);
}

UniqueFd open_or_throw(const char* path, int flags) {
  UniqueFd fd(::open(path, flags | O_CLOEXEC, 0644));
  if (!fd) throw_errno(errno, std::string("open ") + path);
  return fd;
}

std::string read_all(int fd) {
  std::string text;
  if (fd < 0) return text;
  char buf[4096];
  off_t offset = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    offset += n;
  }
  return text;
}

// The environment for execve: ours with `extra` ("NAME=value") added or replacing.
std::vector<std::string> build_env(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& add : extra) {
    const std::string key = add.substr(0, add.find('=') + 1);
    std::erase_if(env, [&](const std::string& e) { return e.rfind(key, 0) == 0; });
    env.push_back(add);
  }
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Between vfork and exec the child shares the harness's memory and may only make plain system
// calls: everything is prepared before, and a failure is reported through `report` as an
// errno value.
[[noreturn]] void child_fail(int report) {
  int err = errno;
  ssize_t ignored = ::write(report, &err, sizeof err);
  (void)ignored;
  ::_exit(127);
}

// Everything the child needs between vfork and exec, as plain data prepared beforehand.
struct ChildPlan {
  const char* path = nullptr;
  char** argv = nullptr;
  char** envp = nullptr;
  const int* sources = nullptr;  // placed at targets[i]
  const int* targets = nullptr;
  size_t fd_count = 0;
  const char* cwd = nullptr;
  const cpu_set_t* cpus = nullptr;
  bool own_group = false;
  int parent_death_signal = 0;
  pid_t parent = -1;
  int report = -1;
};

[[noreturn]] void exec_child(const ChildPlan& plan) {
  if (plan.own_group) ::setpgid(0, 0);
  // The harness may block or ignore signals (the load threads, the matrix's Ctrl-C
  // handling); a child starts clean.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // EINVAL ignored
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (plan.parent_death_signal != 0) {
    // The signal fires when the spawning thread dies. If the parent died before the prctl,
    // it never will: the child has been re-parented already, so it stops itself.
    ::prctl(PR_SET_PDEATHSIG, plan.parent_death_signal);
    if (::getppid() != plan.parent) ::_exit(127);
  }
  for (size_t i = 0; i < plan.fd_count; ++i) {
    if (::dup2(plan.sources[i], plan.targets[i]) < 0) child_fail(plan.report);
  }
  if (plan.cwd != nullptr && ::chdir(plan.cwd) != 0) child_fail(plan.report);
  // Affinity failures are ignored as before: the run records the CPUs it asked for.
  if (plan.cpus != nullptr) ::sched_setaffinity(0, sizeof *plan.cpus, plan.cpus);
  ::execve(plan.path, plan.argv, plan.envp);
  child_fail(plan.report);
}

// vfork, not fork: the harness's page tables are not copied, so starting perf at the start of
// a measured window neither stalls the load threads nor leaves them copy-on-write faults. The
// calling thread is suspended until the child has exec'd or exited. Every signal stays blocked
// meanwhile, so no handler of the harness can run in the child on the shared memory; the child
// resets the dispositions before it unblocks them. Kept apart so that no object with a
// destructor lives in the frame that vfork returns to twice.
[[gnu::noinline]] pid_t vfork_exec(const ChildPlan& plan, int* error) {
  sigset_t all, saved;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &saved);
  const pid_t pid = ::vfork();
  if (pid == 0) exec_child(plan);
  *error = errno;
  ::pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  return pid;
}

}  // namespace

struct ChildProcess::State {
  pid_t pid = -1;
  std::optional<int> status;  // set once reaped
  bool own_group = false;
  bool kill_group_on_exit = false;
  size_t tail_bytes = 0;
  Output out_mode = Output::kInherit;
  Output err_mode = Output::kInherit;
  UniqueFd out_file, err_file;  // kCapture memory files
  UniqueFd out_pipe, err_pipe;  // kTail read ends, used by the reader thread only
  UniqueFd wake;                // eventfd: tells the reader to finish
  std::thread reader;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::string out_tail, err_tail;  // at most 2 * tail_bytes each before trimming
  std::string partial;             // stdout bytes after the last newline
  std::deque<std::string> lines;   // complete stdout lines not yet read
  size_t line_bytes = 0;
  bool out_closed = false;

  void append_tail(std::string& tail, const char* data, size_t n) {
    tail.append(data, n);
    if (tail.size() > 2 * tail_bytes) tail.erase(0, tail.size() - tail_bytes);
  }

  void append_stdout(const char* data, size_t n) {
    append_tail(out_tail, data, n);
    partial.append(data, n);
    size_t start = 0;
    for (size_t nl; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1) {
      lines.push_back(partial.substr(start, nl - start));
      line_bytes += nl - start;
    }
    partial.erase(0, start);
    // Unread lines are bounded like the tails: the oldest go first.
    while (line_bytes > tail_bytes && !lines.empty()) {
      line_bytes -= lines.front().size();
      lines.pop_front();
    }
    if (partial.size() > tail_bytes) partial.clear();  // a "line" this long is not a protocol
  }

  void reader_loop() {
    bool out_open = out_pipe.valid(), err_open = err_pipe.valid();
    char buf[4096];
    while (out_open || err_open) {
      pollfd fds[3] = {{out_open ? out_pipe.get() : -1, POLLIN, 0},
                       {err_open ? err_pipe.get() : -1, POLLIN, 0},
                       {wake.get(), POLLIN, 0}};
      int n = ::poll(fds, 3, -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 || fds[2].revents != 0) break;
      for (int k = 0; k < 2; ++k) {
        if ((fds[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        ssize_t r = ::read(fds[k].fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        std::lock_guard lock(mu);
        if (r <= 0) {
          (k == 0 ? out_open : err_open) = false;
          if (k == 0) out_closed = true;
        } else if (k == 0) {
          append_stdout(buf, static_cast<size_t>(r));
        } else {
          append_tail(err_tail, buf, static_cast<size_t>(r));
        }
      }
      cv.notify_all();
    }
    std::lock_guard lock(mu);
    out_closed = true;
    cv.notify_all();
  }

  // Reaps the child if it has exited. The exit is first seen with WNOWAIT so that the zombie
  // still holds the group id while what is left of the group is killed: the id cannot have
  // been reused by an unrelated group.
  bool try_reap() {
    if (status) return true;
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      if (errno == EINTR) return false;
      status = 0;  // not our child any more (reaped elsewhere): treat as exited
      return true;
    }
    if (info.si_pid != pid) return false;
    if (kill_group_on_exit) ::kill(-pid, SIGKILL);
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    status = st;
    return true;
  }

  void stop_reader() {
    if (!reader.joinable()) return;
    uint64_t one = 1;
    if (::write(wake.get(), &one, sizeof one) < 0) {
      // The reader also ends on EOF of its pipes, which the child's exit produced.
    }
    reader.join();
  }
};

ChildProcess::ChildProcess(std::unique_ptr<State> state) : state_(std::move(state)) {}

ChildProcess ChildProcess::spawn(const std::vector<std::string>& argv,
                                 const std::vector<int>& pass_fds) {
  Options options;
  options.argv = argv;
  options.pass_fds = pass_fds;
  return spawn(std::move(options));
}

ChildProcess ChildProcess::spawn(Options o) {
  if (o.argv.empty()) throw_errno(EINVAL, "spawn: empty argv");
  // PATH is searched here: execvp may allocate, which is not allowed after the vfork.
  std::string path = o.argv[0];
  if (path.find('/') == std::string::npos) {
    auto found = find_executable(path);
    if (!found) throw_errno(ENOENT, "cannot start " + o.argv[0]);
    path = *found;
  }
  auto state = std::make_unique<State>();
  state->own_group = o.own_group;
  state->kill_group_on_exit = o.own_group && o.kill_group_on_exit;
  state->tail_bytes = o.tail_bytes;
  state->out_mode = o.out;
  state->err_mode = o.err;

  // (source, target) descriptor pairs for the child; the sources are closed after the vfork.
  // Every source is a copy numbered above all targets (0, 1, 2, 3 + i), so placing one target
  // in the child can never overwrite a source not yet placed. The copies are taken as low as
  // that allows: a test may start a server under a small RLIMIT_NOFILE.
  std::vector<std::pair<UniqueFd, int>> child_fds;
  const int first_free = 3 + static_cast<int>(o.pass_fds.size());
  auto give = [&child_fds, first_free](int source, int target) {
    UniqueFd high(::fcntl(source, F_DUPFD_CLOEXEC, first_free));
    if (!high) throw_errno(errno, "fcntl(F_DUPFD_CLOEXEC)");
    child_fds.emplace_back(std::move(high), target);  // dup2 clears FD_CLOEXEC on the target
  };
  give(open_or_throw("/dev/null", O_RDONLY).get(), STDIN_FILENO);
  UniqueFd log;
  auto route = [&](Output mode, int target, UniqueFd* file, UniqueFd* pipe_end,
                   const char* memfd_name) {
    switch (mode) {
      case Output::kInherit:
        return;
      case Output::kNull:
        give(open_or_throw("/dev/null", O_WRONLY).get(), target);
        return;
      case Output::kLogFile:
        if (!log) log = open_or_throw(o.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND);
        give(log.get(), target);
        return;
      case Output::kCapture:
        file->reset(::memfd_create(memfd_name, MFD_CLOEXEC));
        if (!*file) throw_errno(errno, "memfd_create");
        give(file->get(), target);
        return;
      case Output::kTail: {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) throw_errno(errno, "pipe2");
        pipe_end->reset(p[0]);
        UniqueFd write_end(p[1]);
        give(write_end.get(), target);
        return;
      }
    }
  };
  route(o.out, STDOUT_FILENO, &state->out_file, &state->out_pipe, "iomb-child-stdout");
  route(o.err, STDERR_FILENO, &state->err_file, &state->err_pipe, "iomb-child-stderr");
  for (size_t i = 0; i < o.pass_fds.size(); ++i) give(o.pass_fds[i], 3 + static_cast<int>(i));

  std::vector<std::string> args = o.argv;
  std::vector<char*> argv_ptrs = pointers(args);
  std::vector<std::string> env = build_env(o.env);
  std::vector<char*> env_ptrs = pointers(env);
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  for (int cpu : o.cpus) CPU_SET(cpu, &cpus);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) throw_errno(errno, "pipe2");
  UniqueFd report_read(report[0]), report_write(report[1]);
  if (report_write.get() < first_free) {  // a target would overwrite it in the child
    report_write.reset(::fcntl(report[1], F_DUPFD_CLOEXEC, first_free));
    if (!report_write) throw_errno(errno, "fcntl(F_DUPFD_CLOEXEC)");
  }
  ChildPlan plan;
  plan.path = path.c_str();
  plan.argv = argv_ptrs.data();
  plan.envp = env_ptrs.data();
  std::vector<int> sources, targets;
  for (auto& [source, target] : child_fds) {
    sources.push_back(source.get());
    targets.push_back(target);
  }
  plan.sources = sources.data();
  plan.targets = targets.data();
  plan.fd_count = sources.size();
  plan.cwd = o.cwd.empty() ? nullptr : o.cwd.c_str();
  plan.cpus = o.cpus.empty() ? nullptr : &cpus;
  plan.own_group = o.own_group;
  plan.parent_death_signal = o.parent_death_signal;
  plan.parent = ::getpid();
  plan.report = report_write.get();
  int vfork_errno = 0;
  const pid_t pid = vfork_exec(plan, &vfork_errno);
  if (pid < 0) throw_errno(vfork_errno, "vfork");
  // Also here: no window in which a signal to the new group misses the child.
  if (o.own_group) ::setpgid(pid, pid);
  state->pid = pid;
  child_fds.clear();
  log.reset();
  report_write.reset();
  int err = 0;
  ssize_t n;
  while ((n = ::read(report_read.get(), &err, sizeof err)) < 0 && errno == EINTR) {
  }
  if (n == static_cast<ssize_t>(sizeof err)) {
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    state->status = st;
    throw_errno(err, "cannot start " + o.argv[0]);
  }
  if (state->out_pipe || state->err_pipe) {
    state->wake.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!state->wake) {
      ChildProcess doomed(std::move(state));  // killed and reaped by its destructor
      throw_errno(errno, "eventfd");
    }
    State* s = state.get();
    state->reader = std::thread([s] { s->reader_loop(); });
  }
  return ChildProcess(std::move(state));
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept = default;

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    ChildProcess old(std::move(*this));  // ends the current child, if any
    state_ = std::move(other.state_);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (!state_) return;
  if (state_->pid > 0 && !state_->status) wait_or_kill(std::chrono::milliseconds(0));
  state_->stop_reader();
}

pid_t ChildProcess::pid() const { return state_ ? state_->pid : -1; }

std::optional<int> ChildProcess::status() const { return state_ ? state_->status : std::nullopt; }

int ChildProcess::signal(int sig) const {
  if (!state_ || state_->pid <= 0 || state_->status) return -ESRCH;
  const pid_t target = state_->own_group ? -state_->pid : state_->pid;
  return ::kill(target, sig) == 0 ? 0 : -errno;
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  if (!state_ || state_->pid <= 0) return std::nullopt;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (state_->try_reap()) return state_->status;
    const auto now = Clock::now();
    if (now >= deadline) return std::nullopt;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(5)));
  }
}

int ChildProcess::wait_or_kill(std::chrono::milliseconds grace) {
  if (!state_ || state_->pid <= 0) return 0;
  if (auto status = wait_for(grace)) return *status;
  signal(SIGKILL);
  while (!wait_for(std::chrono::seconds(1))) {
  }
  return *state_->status;
}

int ChildProcess::terminate(std::chrono::milliseconds grace) {
  signal(SIGTERM);
  return wait_or_kill(grace);
}

bool ChildProcess::read_line(std::string* line, Clock::time_point deadline) {
  if (!state_ || state_->out_mode != Output::kTail) return false;
  State& s = *state_;
  std::unique_lock lock(s.mu);
  if (!s.cv.wait_until(lock, deadline, [&s] { return !s.lines.empty() || s.out_closed; }) ||
      s.lines.empty()) {
    return false;
  }
  *line = std::move(s.lines.front());
  s.line_bytes -= line->size();
  s.lines.pop_front();
  return true;
}

std::string ChildProcess::stdout_text() const {
  if (!state_) return "";
  if (state_->out_mode == Output::kCapture) return read_all(state_->out_file.get());
  std::lock_guard lock(state_->mu);
  const std::string& t = state_->out_tail;
  return t.size() <= state_->tail_bytes ? t : t.substr(t.size() - state_->tail_bytes);
}

std::string ChildProcess::stderr_text() const {
  if (!state_) return "";
  if (state_->err_mode == Output::kCapture) return read_all(state_->err_file.get());
  std::lock_guard lock(state_->mu);
  const std::string& t = state_->err_tail;
  return t.size() <= state_->tail_bytes ? t : t.substr(t.size() - state_->tail_bytes);
}

int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return -WTERMSIG(wait_status);
  return -1000;
}

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

}  // namespace iomb::process
