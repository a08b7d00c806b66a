// Implementation of process_runner.h.
#include "harness/process/process_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

extern char** environ;

namespace iomb::sampling {
namespace {

// posix_spawn's C structures, released on every path.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

int prepare(SpawnSetup& s, const std::string& cwd, const std::string& log_path) {
  const char* log = log_path.empty() ? "/dev/null" : log_path.c_str();
  int rc = posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
  if (!rc)
    rc = posix_spawn_file_actions_addopen(&s.actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (!rc) rc = posix_spawn_file_actions_adddup2(&s.actions, 1, 2);
  if (!rc && !cwd.empty()) rc = posix_spawn_file_actions_addchdir_np(&s.actions, cwd.c_str());
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  if (!rc) rc = posix_spawnattr_setsigmask(&s.attr, &none);
  if (!rc) rc = posix_spawnattr_setsigdefault(&s.attr, &all);
  if (!rc) rc = posix_spawnattr_setpgroup(&s.attr, 0);
  if (!rc) {
    rc = posix_spawnattr_setflags(
        &s.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  }
  return rc;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd,
                          const std::string& log_path, std::chrono::milliseconds timeout) {
  ProcessResult result;
  if (argv.empty()) {
    result.error = "no program";
    return result;
  }
  SpawnSetup setup;
  if (int rc = prepare(setup, cwd, log_path); rc != 0) {
    result.error = std::string("posix_spawn setup: ") + std::strerror(rc);
    return result;
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (int rc =
          posix_spawn(&pid, argv[0].c_str(), &setup.actions, &setup.attr, args.data(), environ);
      rc != 0) {
    result.error = argv[0] + ": " + std::strerror(rc);
    return result;
  }
  result.started = true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    // WNOWAIT leaves the exited leader a zombie, so its pid (the group id) cannot be reused
    // before the group is swept below.
    siginfo_t info{};
    int r = waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (r == 0 && info.si_pid == pid) break;
    if (r < 0 && errno != EINTR) {
      result.error = std::string("waitid: ") + std::strerror(errno);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      result.error = argv[0] + " timed out and was killed";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // The program and whatever it left behind in its group (a browser's renderers) go together.
  kill(-pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.error.empty()) return result;
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
    if (result.exit_code != 0)
      result.error = argv[0] + " exited with " + std::to_string(result.exit_code);
  } else if (WIFSIGNALED(status)) {
    result.error = argv[0] + " killed by signal " + std::to_string(WTERMSIG(status));
  }
  return result;
}

std::optional<std::string> find_executable(const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace iomb::sampling
