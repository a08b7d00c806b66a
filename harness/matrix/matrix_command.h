// `iomb matrix` (DESIGN §4.4): runs a preset or a TOML matrix of cells, each repetition a
// fresh `iomb run` child (a fresh server), repetitions interleaved across models, open-loop
// rates derived from the capacities measured in the same matrix; writes
// <out>/results.json (rewritten after every run, so Ctrl-C leaves a valid partial file) and the
// raw per-run files under <out>/raw/. Main thread.
#pragma once

#include <string>

#include "harness/matrix/matrix_spec.h"

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

// The two halves of run_matrix_command, for commands that rewrite a matrix before running it
// (`iomb ab` doubles every server). load_matrix_spec reads the preset or --config with the
// overrides of `o` applied (throws std::invalid_argument; `source` and `text` say what was read);
// run_loaded_matrix runs `spec` as run_matrix_command would (same exit codes), writing `text`
// to <out>/matrix.toml.
MatrixSpec load_matrix_spec(const MatrixOptions& o, std::string* source, std::string* text);
int run_loaded_matrix(MatrixSpec spec, const std::string& source, const std::string& text,
                      const MatrixOptions& o, int argc, char** argv);

}  // namespace iomb::matrix
