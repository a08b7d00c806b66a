// `iomb compare BASE NEW` (DESIGN §4.5): flags and the command around harness/compare.
// Main thread.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace iomb::harness {

struct CompareCommandOptions {
  std::string base;
  std::string next;
  std::string threshold = "5%";
  double alpha = 0.05;
  std::string markdown;  // also write the Markdown table here (for a pull-request comment)
};

void add_compare_command_flags(CLI::App& app, CompareCommandOptions& options);

// 0: no significant regression; 1: a significant regression; 2: unreadable input.
int run_compare_command(const CompareCommandOptions& options);

}  // namespace iomb::harness
