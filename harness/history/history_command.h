// `iomb history RESULT...` (DESIGN §4, §4.5): flags and the command around harness/history.
// Main thread.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace iomb::harness {

struct HistoryCommandOptions {
  std::vector<std::string> results;  // oldest first
  double pvalue = 0.05;
  int permutations = 199;
  size_t min_segment = 3;
  uint64_t seed = 0x10b5eed;
  std::string markdown;  // also write the Markdown table here
  std::string json;      // also write the change points as JSON here
  bool fail_on_regression = false;
};

void add_history_command_flags(CLI::App& app, HistoryCommandOptions& options);

// 0: done (or no regression with --fail-on-regression); 1: with --fail-on-regression, the latest
// change point of some series is a regression; 2: bad input (unreadable file, too few results).
int run_history_command(const HistoryCommandOptions& options);

}  // namespace iomb::harness
