// The cells of a matrix and the order they run in: closed-loop cells expanded from the sweeps
// (servers innermost, so every repetition round alternates between models), then open-loop
// cells whose rates come from the capacities the closed-loop cells measured. Also the time
// estimate printed before a matrix starts. Pure; any thread.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "harness/matrix/matrix_spec.h"

namespace iomb::matrix {

struct CellSpec {
  int server = 0;  // index into MatrixSpec::servers
  std::string protocol = "echo";
  uint64_t size = 64;
  int connections = 1;
  int pipeline = 1;
  double rate = 0;  // open loop when > 0
  std::string arrival = "constant";
  std::chrono::nanoseconds duration{0}, warmup{0};
  // Set when the cell cannot run (open loop without a measured capacity).
  std::string skip_reason;

  bool open_loop() const { return rate > 0 || !skip_reason.empty(); }
};

// Closed-loop cells of every sweep, duplicates dropped, servers innermost.
std::vector<CellSpec> closed_loop_cells(const MatrixSpec& spec);

// (server, protocol, size, connections) → median requests/s of the successful repetitions of
// the closed-loop pipeline-1 cell, filled by the caller.
using CapacityKey = std::tuple<int, std::string, uint64_t, int>;
using Capacities = std::map<CapacityKey, double>;

// Open-loop cells; a server without a capacity gets cells with skip_reason (one per fraction).
// Fractions (or fixed rates) outer, servers inner.
std::vector<CellSpec> open_loop_cells(const MatrixSpec& spec, const Capacities& capacities);
// How many open-loop cells there will be (known before capacities are).
size_t open_loop_cell_count(const MatrixSpec& spec);

// Rough wall time of one run: warm-up + duration + server start/stop + connection setup.
std::chrono::nanoseconds estimate_run(const CellSpec& cell);
// Estimate of the whole matrix (open-loop cells at `open_loop` connections, as planned).
std::chrono::nanoseconds estimate_total(const MatrixSpec& spec);

}  // namespace iomb::matrix
