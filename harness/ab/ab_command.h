// `iomb ab` (DESIGN §4.5, relative continuous benchmarking): a baseline and a candidate build
// measured in one job on one machine, interleaved (each cell's base run then its candidate run,
// a fresh server each, round after round), and judged on the ratios of those pairs. Flags and
// the command around harness/ab; the runs are `iomb matrix`'s. Main thread.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace iomb::ab {

struct AbCommandOptions {
  std::string base, candidate;  // bin directories holding iomb-<model> of each build
  std::string preset;           // "" = ci unless --config
  std::string config;
  int repetitions = 5;
  std::string threshold = "5%";
  double alpha = 0.05;
  std::string out;       // "" = results/runs/<UTC time>-ab-<matrix name>
  std::string markdown;  // also write the Markdown table here
  std::string duration, warmup;
  std::string server_cpus, client_cpus;
};

void add_ab_command_flags(CLI::App& app, AbCommandOptions& o);

// 0 no cell regressed; 1 a cell regressed (a metric past the threshold with p < alpha, or the
// candidate failed runs the base did not); 2 bad flags, a missing build directory or binary,
// unreadable results; 3 no regression but some cell had too few pairs to reach alpha;
// 130/143 interrupted.
int run_ab_command(const AbCommandOptions& o, int argc, char** argv);

}  // namespace iomb::ab
