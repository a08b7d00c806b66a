// `iomb compare BASE NEW` (DESIGN §4.5): flags and the command around harness/compare.
// Main thread.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace iomb::harness {

struct CompareCommandOptions {
  std::string base;
  std::string next;
  std::string threshold = "5%";
  double alpha = 0.05;
  std::string markdown;  // also write the Markdown table here (for a pull-request comment)
  std::vector<std::string> tolerance;  // "syscalls/req=5%": judge that count with this tolerance
  bool counts_only = false;
};

void add_compare_command_flags(CLI::App& app, CompareCommandOptions& options);

// 0: no significant regression and everything judged; 1: a significant regression; 2: bad
// flags or unreadable input; 3: no regression, but something could not be judged (too few
// repetitions, a count NEW lacks, a benchmark of BASE missing from NEW): a gate must not pass.
int run_compare_command(const CompareCommandOptions& options);

}  // namespace iomb::harness
