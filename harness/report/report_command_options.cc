// Implementation of report_command_options.h.
#include "harness/report/report_command_options.h"

namespace iomb::report {

void add_report_command_flags(CLI::App& app, ReportOptions& o) {
  app.add_option("dir", o.dir, "Directory with results.json and/or per-run result files")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--out", o.out, "Write the report here instead of into DIR");
  app.add_option("--reference", o.reference,
                 "Model the ratios compare to: model:mode, or model for its first mode")
      ->capture_default_str();
  app.add_option("--gnuplot", o.gnuplot, "gnuplot binary (default: gnuplot on PATH)");
  app.add_option("--title", o.title, "Title of summary.md and index.html")->capture_default_str();
  app.add_flag("!--no-plots", o.plots, "Write tables only, no plot files");
  app.add_option("--gnuplot-timeout", o.gnuplot_timeout_s, "Seconds allowed per plot script")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_flag("--quiet", o.quiet, "Print nothing but errors");
}

}  // namespace iomb::report
