// MatrixRunner: executes a parsed matrix. Every repetition of every cell is a fresh `iomb run`
// child (a fresh server); repetitions are interleaved across cells, so a slow drift of the
// machine spreads over every model instead of biasing the one measured last. Open-loop cells
// get their rates from the closed-loop capacities measured earlier in the same matrix.
// <out>/results.json is rewritten after every run. Owned by the matrix's main thread.
#pragma once

#include <chrono>
#include <csignal>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "harness/matrix/matrix_command.h"
#include "harness/matrix/matrix_plan.h"
#include "harness/matrix/matrix_spec.h"

namespace iomb::matrix {

class MatrixRunner {
 public:
  // iomb_path: the `iomb` binary each run starts; floor_file: the matrix's floor measurement
  // ("" = the runs pass --no-floor); signal: set by the SIGINT/SIGTERM handler, which stops
  // the matrix after the current run (that run's numbers are dropped).
  MatrixRunner(MatrixSpec spec, const MatrixOptions& o, std::string out_dir, nlohmann::json context,
               std::string iomb_path, std::string floor_file,
               const volatile std::sig_atomic_t* signal);

  // Returns the exit code (see run_matrix_command).
  int run();

 private:
  using Clock = std::chrono::steady_clock;

  bool interrupted() const { return *signal_ != 0; }
  std::string name_for(const CellSpec& c, const std::string& mode) const;
  std::string planned_mode(const CellSpec& c) const;
  void progress(int rep, const std::string& name);
  void add(nlohmann::json entry, const std::string& name, size_t cell_index, int rep,
           const std::string& raw);
  void skip_cell(const CellSpec& c, size_t cell_index, int rep, const std::string& why);
  void run_cell(const CellSpec& c, size_t cell_index, int rep);
  Capacities capacities() const;
  // results.json: every run in the order it ran, then each cell's aggregates. Written to a
  // temporary file and renamed, so a reader (or a Ctrl-C) never sees a half-written file.
  void write();

  MatrixSpec spec_;
  const MatrixOptions& o_;
  std::string out_;
  nlohmann::json context_;
  std::string iomb_path_;
  std::string floor_arg_;
  const volatile std::sig_atomic_t* signal_;
  std::vector<CellSpec> closed_, open_;
  std::vector<nlohmann::json> entries_;
  std::vector<size_t> cell_of_entry_;
  std::set<size_t> skipped_cells_;
  std::map<size_t, double> syscalls_;
  std::map<int, std::string> reported_modes_;
  size_t total_runs_ = 0, started_runs_ = 0, run_counter_ = 1;
  int ok_runs_ = 0, failed_runs_ = 0;
  Clock::time_point start_;
  std::chrono::nanoseconds total_estimate_{0}, done_estimate_{0}, done_actual_{0};
};

}  // namespace iomb::matrix
