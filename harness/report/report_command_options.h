// Options of `iomb report DIR` and their CLI11 flags. Any thread (plain data).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace iomb::report {

struct ReportOptions {
  std::string dir;                         // holds results.json and/or per-run *.json
  std::string out;                         // where the report goes; empty = dir
  std::string reference = "nio:reactors";  // "model:mode", or "model" for its first mode
  std::string gnuplot;                     // gnuplot binary; empty = search PATH
  std::string title = "iomb report";
  bool plots = true;           // false: write no plot files at all
  int gnuplot_timeout_s = 60;  // per plot script
  bool quiet = false;          // no "wrote ..." lines on stdout
};

// Adds DIR and the report flags to a CLI11 (sub)command.
void add_report_command_flags(CLI::App& app, ReportOptions& options);

}  // namespace iomb::report
