// Implementation of process_runner.h.
#include "harness/process/process_runner.h"

#include <sys/wait.h>

#include <system_error>

#include "harness/process/child_process.h"

namespace iomb::process {

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd,
                          const std::string& log_path, std::chrono::milliseconds timeout) {
  ProcessResult result;
  if (argv.empty()) {
    result.error = "no program";
    return result;
  }
  ChildProcess::Options options;
  options.argv = argv;
  options.cwd = cwd;
  options.out = log_path.empty() ? ChildProcess::Output::kNull : ChildProcess::Output::kLogFile;
  options.err = options.out;
  options.log_path = log_path;
  // The program and whatever it left behind in its group (a browser's renderers) go together.
  options.own_group = true;
  options.kill_group_on_exit = true;
  std::optional<ChildProcess> child;
  try {
    child.emplace(ChildProcess::spawn(std::move(options)));
  } catch (const std::system_error& e) {
    result.error = argv[0] + ": " + e.code().message();
    return result;
  }
  result.started = true;
  auto status = child->wait_for(timeout);
  if (!status) {
    child->wait_or_kill(std::chrono::milliseconds(0));
    result.timed_out = true;
    result.error = argv[0] + " timed out and was killed";
    return result;
  }
  if (WIFEXITED(*status)) {
    result.exit_code = WEXITSTATUS(*status);
    if (result.exit_code != 0)
      result.error = argv[0] + " exited with " + std::to_string(result.exit_code);
  } else if (WIFSIGNALED(*status)) {
    result.error = argv[0] + " killed by signal " + std::to_string(WTERMSIG(*status));
  }
  return result;
}

}  // namespace iomb::process
