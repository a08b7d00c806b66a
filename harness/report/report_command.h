// `iomb report DIR`: loads the result files, writes summary.md, the gnuplot plots (scripts,
// data, SVG, PNG) and index.html into the output directory. Blocking; call from one thread.
#pragma once

#include <string>
#include <vector>

#include "harness/report/report_command_options.h"

namespace iomb::report {

struct ReportOutcome {
  std::string out_dir;
  std::string summary_path;
  std::string html_path;
  std::vector<std::string> plots;  // stems rendered to SVG and PNG
  std::string plot_note;           // why plots are missing, if some are
  size_t entries = 0;              // benchmark entries read
};

// Throws std::runtime_error when there are no results and std::system_error when a file cannot
// be written; gnuplot trouble is not an error (it is noted in the report).
ReportOutcome generate_report(const ReportOptions& options);

// generate_report with errors as one line on stderr: 0 on success, 1 otherwise.
int run_report_command(const ReportOptions& options);

}  // namespace iomb::report
