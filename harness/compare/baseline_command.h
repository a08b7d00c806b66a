// `iomb baseline RESULT... --out FILE` (DESIGN §4.5): a gate's baseline from A/A runs of one
// matrix (see baseline.h). Main thread.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace iomb::harness {

struct BaselineCommandOptions {
  std::vector<std::string> runs;
  std::string out;
  // Measured here (3 A/A runs of the ci matrix on 2 busy vCPUs): syscalls/req at 1 connection
  // spread up to 4.4 % (nio) and 8.6 % (asio), context switches 0.2 %; one extra syscall per
  // request is +20 % (asio) to +51 % (bio).
  std::vector<std::string> tolerance = {"syscalls/req=15%", "ctx sw/req=10%"};
  double max_spread_of_tolerance = 0.5;
};

void add_baseline_command_flags(CLI::App& app, BaselineCommandOptions& options);

// 0: written; 2: bad flags, unreadable results, or nothing stable enough to gate.
int run_baseline_command(const BaselineCommandOptions& options);

}  // namespace iomb::harness
