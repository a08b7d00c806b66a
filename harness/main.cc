// iomb: the load generator and run orchestrator (DESIGN §4). Subcommands and flag parsing only;
// bad flags exit 2 with CLI11's message.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "harness/compare/compare_command.h"
#include "harness/load/load_command.h"
#include "harness/matrix/matrix_command.h"
#include "harness/report/report_command.h"
#include "harness/report/report_command_options.h"
#include "harness/run/run_command.h"

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);  // the load generator sends with MSG_NOSIGNAL; belt and braces
  CLI::App app{
      "iomb: drive Linux network IO-model servers with verified load and record "
      "throughput, latency and cost (Google Benchmark JSON results)",
      "iomb"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show the help of every subcommand");

  iomb::harness::LoadCommandOptions load;
  CLI::App* load_cmd = app.add_subcommand(
      "load",
      "Drive a running target (closed loop, open loop with --rate, churn); every echoed "
      "byte is verified");
  iomb::harness::add_load_command_flags(*load_cmd, load);

  iomb::harness::RunCommandOptions run;
  CLI::App* run_cmd = app.add_subcommand(
      "run",
      "Start a server (or use --target), pin it and the client to disjoint CPUs, drive "
      "it, sample its CPU/RSS/threads/context switches, stop it; --repetitions with "
      "aggregates");
  iomb::harness::add_run_command_flags(*run_cmd, run);

  iomb::matrix::MatrixOptions matrix;
  CLI::App* matrix_cmd = app.add_subcommand(
      "matrix",
      "Run a preset (quick, full, ci) or a TOML matrix: every cell a fresh server, "
      "repetitions interleaved across models; results.json plus raw per-run files");
  iomb::matrix::add_matrix_command_flags(*matrix_cmd, matrix);

  iomb::harness::CompareCommandOptions compare;
  CLI::App* compare_cmd =
      app.add_subcommand("compare",
                         "Compare two result files: change in throughput, p99 and CPU per request, "
                         "Mann-Whitney U over repetitions; exit 1 on a significant regression");
  iomb::harness::add_compare_command_flags(*compare_cmd, compare);

  iomb::report::ReportOptions report;
  CLI::App* report_cmd = app.add_subcommand(
      "report",
      "Write summary.md, gnuplot plots (SVG, PNG) and an offline index.html from the "
      "result files in DIR");
  iomb::report::add_report_command_flags(*report_cmd, report);

  try {
    app.parse(argc, argv);
    if (load_cmd->parsed()) iomb::harness::validate_load_options(load.load);
    if (run_cmd->parsed()) iomb::harness::validate_run_options(run);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (load_cmd->parsed()) return iomb::harness::run_load_command(load, argc, argv);
  if (compare_cmd->parsed()) return iomb::harness::run_compare_command(compare);
  if (report_cmd->parsed()) return iomb::report::run_report_command(report);
  if (run_cmd->parsed()) return iomb::harness::run_run_command(run, argc, argv);
  if (matrix_cmd->parsed()) return iomb::matrix::run_matrix_command(matrix, argc, argv);
  return 2;
}
