// `iomb matrix` (DESIGN §4.4): runs a preset or a TOML matrix of cells, each repetition a
// fresh `iomb run` child (a fresh server), repetitions interleaved across models, open-loop
// rates derived from the capacities measured in the same matrix; writes
// <out>/results.json (rewritten after every run, so Ctrl-C leaves a valid partial file) and the
// raw per-run files under <out>/raw/. Main thread.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace iomb::matrix {

struct MatrixOptions {
  std::string preset;     // quick | full | ci ("" with --config; quick when neither is given)
  std::string config;     // a TOML file
  std::string out;        // "" = results/runs/<UTC timestamp>-<name>
  std::string protocols;  // "echo,http": replaces every sweep's protocols
  int repetitions = 0;    // 0 = as the matrix says
  std::string duration, warmup;          // "" = as the matrix says
  std::string server_cpus, client_cpus;  // passed to every `iomb run`
  std::string floor_binary;              // "" = iomb-floor next to iomb
  bool no_floor = false;
  bool dry_run = false;
};

void add_matrix_command_flags(CLI::App& app, MatrixOptions& o);

// Exit code: 0 every run ok or skipped, 1 a run failed, 2 a bad matrix, 130/143 interrupted by
// SIGINT/SIGTERM (results.json then holds the runs completed so far).
int run_matrix_command(const MatrixOptions& o, int argc, char** argv);

}  // namespace iomb::matrix
