// Implementation of baseline_command.h.
#include "harness/compare/baseline_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "harness/compare/baseline.h"
#include "harness/compare/comparison.h"
#include "harness/result/result_file.h"
#include "harness/result/result_json.h"

namespace iomb::harness {

void add_baseline_command_flags(CLI::App& app, BaselineCommandOptions& o) {
  app.add_option("RESULT", o.runs,
                 "Two or more results of the same matrix on the same build and machine (A/A), "
                 "e.g. three runs of `iomb matrix --preset ci`")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--out", o.out, "Where to write the baseline (e.g. results/baseline/ci.json)")
      ->required();
  app.add_option("--tolerance", o.tolerance,
                 "The gate's tolerance per count: 'syscalls/req=15%', 'ctx sw/req=10%' "
                 "(repeatable; the counts named are the ones considered)")
      ->capture_default_str();
  app.add_option("--max-spread-of-tolerance", o.max_spread_of_tolerance,
                 "Gate a count on a benchmark only when its A/A spread is at most this fraction "
                 "of its tolerance")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  app.footer(
      "Writes a result file holding, per benchmark, the median of each count whose A/A spread "
      "was small, and in context.gate the tolerances, the measured spreads and what was left out "
      "and why. Gate with: iomb compare --counts-only BASELINE NEW.");
}

int run_baseline_command(const BaselineCommandOptions& o) {
  compare::BaselineOptions options;
  options.max_spread_of_tolerance = o.max_spread_of_tolerance;
  std::vector<compare::ResultFile> runs;
  nlohmann::json source_context;
  try {
    for (const std::string& text : o.tolerance) {
      options.tolerance.insert(compare::parse_count_tolerance(text));
    }
    for (const std::string& path : o.runs) runs.push_back(compare::load_result_file(path));
    source_context = result::read_result_file(o.runs.front()).context;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb baseline: %s\n", e.what());
    return 2;
  }
  compare::Baseline baseline;
  try {
    baseline = compare::make_baseline(runs, options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb baseline: %s\n", e.what());
    return 2;
  }
  size_t gated = 0;
  for (const compare::CountSpread& c : baseline.counts) {
    std::printf("%-60s %-13s median %8.3f  A/A spread %6.2f%%  %s\n", c.benchmark.c_str(),
                c.metric.c_str(), c.median, c.spread * 100,
                c.gated ? "gated" : ("not gated: " + c.why_not).c_str());
    gated += c.gated ? 1 : 0;
  }
  if (gated == 0) {
    std::fprintf(stderr, "iomb baseline: no count was stable enough to gate on; nothing written\n");
    return 2;
  }
  nlohmann::json& context = baseline.document["context"];
  context["gate"]["made"] = result::utc_stamp();
  for (const char* key :
       {"date", "host_name", "num_cpus", "cpu_model", "kernel", "git_sha", "iomb"}) {
    if (source_context.contains(key)) context[key] = source_context[key];
  }
  std::ofstream out(o.out);
  out << baseline.document.dump(2) << "\n";
  if (!out) {
    std::fprintf(stderr, "iomb baseline: cannot write %s\n", o.out.c_str());
    return 2;
  }
  std::printf("%zu counts gated; baseline written to %s\n", gated, o.out.c_str());
  return 0;
}

}  // namespace iomb::harness
