// Implementation of matrix_plan.h.
#include "harness/matrix/matrix_plan.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace iomb::matrix {

std::vector<CellSpec> closed_loop_cells(const MatrixSpec& spec) {
  std::vector<CellSpec> out;
  std::set<std::tuple<int, std::string, uint64_t, int, int>> seen;
  for (const ClosedSweep& sw : spec.sweeps) {
    for (const auto& protocol : sw.protocols) {
      for (uint64_t size : sw.sizes) {
        for (int pipeline : sw.pipelines) {
          for (int conns : sw.connections) {
            for (int s = 0; s < static_cast<int>(spec.servers.size()); ++s) {
              if (!selects(sw.servers, spec.servers[s])) continue;
              if (!seen.emplace(s, protocol, size, pipeline, conns).second) continue;
              CellSpec c;
              c.server = s;
              c.protocol = protocol;
              c.size = size;
              c.connections = conns;
              c.pipeline = pipeline;
              c.duration = sw.duration.value_or(spec.duration);
              c.warmup = sw.warmup.value_or(spec.warmup);
              out.push_back(std::move(c));
            }
          }
        }
      }
    }
  }
  return out;
}

namespace {

// The capacity an open-loop sweep scales for server s: its own, or with rate_basis "slowest"
// the lowest among the sweep's servers that have one (0: none measured for s).
double basis_capacity(const MatrixSpec& spec, const OpenSweep& sw, const Capacities& capacities,
                      int s, const std::string& protocol, uint64_t size) {
  auto capacity_of = [&](int server) {
    auto it = capacities.find({server, protocol, size, sw.capacity_connections});
    return it == capacities.end() || !(it->second > 0) ? 0.0 : it->second;
  };
  const double own = capacity_of(s);
  if (own <= 0 || sw.rate_basis != "slowest") return own;
  double slowest = own;
  for (int other = 0; other < static_cast<int>(spec.servers.size()); ++other) {
    if (!selects(sw.servers, spec.servers[other])) continue;
    if (double c = capacity_of(other); c > 0) slowest = std::min(slowest, c);
  }
  return slowest;
}

}  // namespace

std::vector<CellSpec> open_loop_cells(const MatrixSpec& spec, const Capacities& capacities) {
  std::vector<CellSpec> out;
  for (const OpenSweep& sw : spec.open_loop) {
    for (const auto& protocol : sw.protocols) {
      for (uint64_t size : sw.sizes) {
        // Fixed rates run as given; fractions scale each server's measured capacity.
        const bool fixed = !sw.rates.empty();
        for (double value : fixed ? sw.rates : sw.fractions) {
          for (int s = 0; s < static_cast<int>(spec.servers.size()); ++s) {
            if (!selects(sw.servers, spec.servers[s])) continue;
            CellSpec c;
            c.server = s;
            c.protocol = protocol;
            c.size = size;
            c.connections = sw.connections;
            c.pipeline = 1;
            c.arrival = sw.arrival;
            c.duration = sw.duration.value_or(spec.duration);
            c.warmup = sw.warmup.value_or(spec.warmup);
            const double capacity =
                fixed ? 1.0 : basis_capacity(spec, sw, capacities, s, protocol, size);
            if (capacity <= 0) {
              c.skip_reason = "no capacity measured: the closed-loop cell at " +
                              std::to_string(sw.capacity_connections) +
                              " connections, pipeline 1 has no successful run";
            } else {
              c.rate = std::max(1.0, std::round(value * capacity));
            }
            out.push_back(std::move(c));
          }
        }
      }
    }
  }
  return out;
}

size_t open_loop_cell_count(const MatrixSpec& spec) {
  size_t n = 0;
  for (const OpenSweep& sw : spec.open_loop) {
    size_t servers = 0;
    for (const auto& s : spec.servers) servers += selects(sw.servers, s) ? 1 : 0;
    n += sw.protocols.size() * sw.sizes.size() *
         (sw.rates.empty() ? sw.fractions.size() : sw.rates.size()) * servers;
  }
  return n;
}

std::chrono::nanoseconds estimate_run(const CellSpec& cell) {
  // Start, ready line, stop and the result file take about half a second; connecting and
  // closing costs about 0.2 ms per connection on a small machine.
  using std::chrono::microseconds;
  return cell.warmup + cell.duration + std::chrono::milliseconds(500) +
         microseconds(200) * cell.connections;
}

std::chrono::nanoseconds estimate_total(const MatrixSpec& spec) {
  std::chrono::nanoseconds total{0};
  for (const CellSpec& c : closed_loop_cells(spec)) {
    // --count-syscalls adds one untimed pass per cell (with perf attached).
    total += estimate_run(c) * (spec.repetitions + (spec.count_syscalls ? 1 : 0));
  }
  Capacities all;  // pretend every capacity is known, to count and time the open-loop cells
  for (const OpenSweep& sw : spec.open_loop) {
    for (int s = 0; s < static_cast<int>(spec.servers.size()); ++s) {
      for (const auto& p : sw.protocols) {
        for (uint64_t size : sw.sizes) all[{s, p, size, sw.capacity_connections}] = 1;
      }
    }
  }
  for (const CellSpec& c : open_loop_cells(spec, all)) total += estimate_run(c) * spec.repetitions;
  return total;
}

}  // namespace iomb::matrix
