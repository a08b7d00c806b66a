// `iomb export RESULT --format bencher|gab-smaller|gab-bigger [--out FILE]`: a result file in a
// CI dashboard's format (export_formats.h). Main thread.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace iomb::harness {

struct ExportCommandOptions {
  std::string result;
  std::string format;  // "bencher", "gab-smaller", "gab-bigger"
  std::string out;     // "" or "-": standard output
};

void add_export_command_flags(CLI::App& app, ExportCommandOptions& options);

// 0: written; 2: unreadable input, no measure to export, or the output cannot be written.
int run_export_command(const ExportCommandOptions& options);

}  // namespace iomb::harness
