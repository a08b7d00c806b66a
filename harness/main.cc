// iomb: the load generator and run orchestrator (DESIGN §4). Subcommands and flag parsing only;
// bad flags exit 2 with CLI11's message.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <functional>

#include "common/cli_parse.h"
#include "harness/ab/ab_command.h"
#include "harness/cluster/cluster_command.h"
#include "harness/cluster/cluster_options.h"
#include "harness/compare/baseline_command.h"
#include "harness/compare/compare_command.h"
#include "harness/export/export_command.h"
#include "harness/history/history_command.h"
#include "harness/load/load_command.h"
#include "harness/matrix/matrix_command.h"
#include "harness/report/report_command.h"
#include "harness/report/report_command_options.h"
#include "harness/run/run_command.h"

namespace {

// One subcommand: its name and one-line help, how it adds its flags, and what runs it.
struct Subcommand {
  const char* name;
  const char* description;
  std::function<void(CLI::App&)> add_flags;
  std::function<void()> validate;  // after parsing; throws CLI::ValidationError to refuse
  std::function<int()> run;
  CLI::App* app = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);  // the load generator sends with MSG_NOSIGNAL; belt and braces
  CLI::App app{
      "iomb: drive Linux network IO-model servers with verified load and record "
      "throughput, latency and cost (Google Benchmark JSON results)",
      "iomb"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show the help of every subcommand");

  using namespace iomb;
  harness::LoadCommandOptions load;
  harness::RunCommandOptions run;
  matrix::MatrixOptions matrix;
  harness::CompareCommandOptions compare;
  harness::BaselineCommandOptions baseline;
  harness::HistoryCommandOptions history;
  harness::ExportCommandOptions export_options;
  report::ReportOptions report;
  cluster::ClusterOptions cluster;
  ab::AbCommandOptions ab;
  Subcommand subcommands[] = {
      {"load",
       "Drive a running target (closed loop, open loop with --rate, churn); every echoed byte is "
       "verified",
       [&](CLI::App& c) { harness::add_load_command_flags(c, load); },
       [&] { harness::validate_load_options(load.load); },
       [&] { return harness::run_load_command(load, argc, argv); }},
      {"run",
       "Start a server (or use --target), pin it and the client to disjoint CPUs, drive it, "
       "sample its CPU/RSS/threads/context switches, stop it; --repetitions with aggregates",
       [&](CLI::App& c) { harness::add_run_command_flags(c, run); },
       [&] { harness::validate_run_options(run); },
       [&] { return harness::run_run_command(run, argc, argv); }},
      {"matrix",
       "Run a preset (quick, full, ci) or a TOML matrix: every cell a fresh server, repetitions "
       "interleaved across models; results.json plus raw per-run files",
       [&](CLI::App& c) { matrix::add_matrix_command_flags(c, matrix); },
       {},
       [&] { return matrix::run_matrix_command(matrix, argc, argv); }},
      {"compare",
       "Compare two result files: change in throughput, p99 and CPU per request (Mann-Whitney U "
       "over repetitions) and in counts per request (a tolerance); exit 1 on a regression, 3 "
       "when something could not be judged",
       [&](CLI::App& c) { harness::add_compare_command_flags(c, compare); },
       {},
       [&] { return harness::run_compare_command(compare); }},
      {"baseline",
       "Make a CI gate's baseline from A/A runs of one matrix: the counts per request whose "
       "spread between runs is small, with the tolerances `iomb compare --counts-only` judges",
       [&](CLI::App& c) { harness::add_baseline_command_flags(c, baseline); },
       {},
       [&] { return harness::run_baseline_command(baseline); }},
      {"history",
       "Change points over the results of successive commits (E-divisive means, permutation "
       "test) per benchmark and metric; --fail-on-regression exits 1 when the latest is a "
       "regression",
       [&](CLI::App& c) { harness::add_history_command_flags(c, history); },
       {},
       [&] { return harness::run_history_command(history); }},
      {"export",
       "Write a result file for CI dashboards: Bencher Metric Format (every measure, median with "
       "min/max) or github-action-benchmark's customSmallerIsBetter / customBiggerIsBetter",
       [&](CLI::App& c) { harness::add_export_command_flags(c, export_options); },
       {},
       [&] { return harness::run_export_command(export_options); }},
      {"ab",
       "Two builds in one job: each cell's base and candidate servers run back to back (a "
       "fresh server each, --repetitions rounds), judged on the ratios of the pairs; exit 1 on "
       "a regression, 3 when too few pairs to tell",
       [&](CLI::App& c) { ab::add_ab_command_flags(c, ab); },
       {},
       [&] { return ab::run_ab_command(ab, argc, argv); }},
      {"report",
       "Write summary.md, gnuplot plots (SVG, PNG) and an offline index.html from the result "
       "files in DIR (for an iomb cluster directory: its strategy table and plots)",
       [&](CLI::App& c) { report::add_report_command_flags(c, report); },
       {},
       [&] {
         // A cluster lab directory has its own table and plots (harness/cluster).
         if (std::filesystem::exists(report.dir + "/cluster.json")) {
           return cluster::render_cluster_report(report.dir);
         }
         return report::run_report_command(report);
       }},
      {"cluster",
       "The session-cluster lab: N nodes behind HAProxy (and Redis), /session clients in open "
       "loop, a node or Redis killed or paused mid-run; sessions lost, errors, bytes and CPU "
       "per strategy",
       [&](CLI::App& c) { cluster::add_cluster_command_flags(c, cluster); },
       [&] { cluster::validate_cluster_options(cluster); },
       [&] { return cluster::run_cluster_command(cluster, argc, argv); }},
  };
  for (Subcommand& s : subcommands) {
    s.app = app.add_subcommand(s.name, s.description);
    s.add_flags(*s.app);
  }
  const int rc = parse_command_line(app, argc, argv, [&] {
    for (const Subcommand& s : subcommands) {
      if (s.app->parsed() && s.validate) s.validate();
    }
  });
  if (rc >= 0) return rc;
  for (const Subcommand& s : subcommands) {
    if (s.app->parsed()) return s.run();
  }
  return 2;
}
