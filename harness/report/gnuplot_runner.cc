// Implementation of gnuplot_runner.h.
#include "harness/report/gnuplot_runner.h"

#include "harness/process/child_process.h"
#include "harness/process/process_runner.h"

namespace iomb::report {

using process::find_executable;
using process::ProcessResult;
using process::run_process;

std::optional<Gnuplot> find_gnuplot(const std::string& path, std::string* why) {
  auto binary = find_executable(path.empty() ? "gnuplot" : path);
  if (!binary) {
    *why = path.empty() ? "gnuplot not found on PATH (apt-get install gnuplot-nox)"
                        : path + " is not an executable";
    return std::nullopt;
  }
  constexpr std::chrono::seconds kProbe{20};
  ProcessResult version = run_process({*binary, "--version"}, "", "", kProbe);
  if (!version.ok()) {
    *why = *binary + " does not run: " + version.error;
    return std::nullopt;
  }
  Gnuplot g{*binary, "png"};
  if (run_process({*binary, "-e", "set terminal pngcairo"}, "", "", kProbe).ok()) {
    g.png_terminal = "pngcairo";
  }
  return g;
}

std::string run_gnuplot(const Gnuplot& gnuplot, const std::string& dir,
                        const std::vector<std::string>& scripts, std::chrono::seconds timeout) {
  std::vector<std::string> argv{gnuplot.path};
  argv.insert(argv.end(), scripts.begin(), scripts.end());
  ProcessResult r = run_process(argv, dir, dir + "/gnuplot.log", timeout);
  if (r.ok()) return "";
  return r.error + " (see gnuplot.log)";
}

}  // namespace iomb::report
