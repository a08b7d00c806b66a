// Implementation of export_command.h.
#include "harness/export/export_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "harness/export/export_formats.h"
#include "harness/result/benchmark_measures.h"
#include "harness/result/result_file.h"

namespace iomb::harness {

void add_export_command_flags(CLI::App& app, ExportCommandOptions& o) {
  app.footer(
      "Formats:\n"
      "  bencher      Bencher Metric Format JSON (bencher run --adapter json --file FILE): every "
      "measure of every benchmark, value = median over repetitions, lower_value/upper_value = "
      "min/max\n"
      "  gab-smaller  github-action-benchmark, tool: customSmallerIsBetter (latency "
      "percentiles, CPU per request, syscalls and context switches per request, errors, RSS)\n"
      "  gab-bigger   github-action-benchmark, tool: customBiggerIsBetter (throughput, bytes "
      "per second)\n"
      "Rows that failed, were skipped or are marked invalid are left out.\n"
      "Exit codes: 0 written; 2 bad flags, unreadable input, nothing to export, or the output "
      "cannot be written.");
  app.add_option("RESULT", o.result,
                 "Result file (iomb matrix's results.json, iomb run --json, or any Google "
                 "Benchmark JSON)")
      ->required();
  app.add_option("--format", o.format, "Output format")
      ->required()
      ->check(CLI::IsMember({"bencher", "gab-smaller", "gab-bigger"}));
  app.add_option("--out", o.out, "Write here instead of standard output");
}

int run_export_command(const ExportCommandOptions& o) {
  nlohmann::json exported;
  try {
    const result::ResultDocument doc = result::read_result_file(o.result);
    const std::vector<result::BenchmarkMeasures> benchmarks =
        result::benchmark_measures(doc, o.result);
    if (benchmarks.empty()) {
      std::fprintf(stderr, "iomb export: %s: no benchmark row with a measure to export\n",
                   o.result.c_str());
      return 2;
    }
    if (o.format == "bencher") {
      exported = exports::bencher_metric_format(benchmarks);
    } else {
      exported = exports::github_action_benchmark_format(
          benchmarks, o.format == "gab-bigger" ? exports::GabTool::kBiggerIsBetter
                                               : exports::GabTool::kSmallerIsBetter);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb export: %s\n", e.what());
    return 2;
  }
  const std::string text = exported.dump(2) + "\n";
  if (o.out.empty() || o.out == "-") {
    std::cout << text << std::flush;
    return 0;
  }
  std::ofstream out(o.out);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "iomb export: cannot write %s\n", o.out.c_str());
    return 2;
  }
  return 0;
}

}  // namespace iomb::harness
