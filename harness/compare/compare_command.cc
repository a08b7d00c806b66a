// Implementation of compare_command.h.
#include "harness/compare/compare_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "harness/compare/compare_table.h"
#include "harness/compare/comparison.h"
#include "harness/compare/result_file.h"

namespace iomb::harness {

void add_compare_command_flags(CLI::App& app, CompareCommandOptions& o) {
  app.add_option("BASE", o.base, "Baseline result file (Google Benchmark JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("NEW", o.next, "New result file to judge against BASE")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--threshold", o.threshold,
                 "Smallest relative change that counts (5% or 0.05); smaller changes are "
                 "'no change' even when significant")
      ->capture_default_str();
  app.add_option("--alpha", o.alpha,
                 "Significance level of the two-sided Mann-Whitney U test over repetitions "
                 "(needs >= 4 repetitions per side to reach 0.05)")
      ->check(CLI::Range(1e-9, 0.5))
      ->capture_default_str();
  app.add_option("--markdown", o.markdown, "Also write the comparison as a Markdown table here");
  app.add_option(
      "--tolerance", o.tolerance,
      "Judge a count per request by a tolerance on its median instead of a U test: "
      "'syscalls/req=5%' or 'ctx sw/req=10%' (repeatable). Without it, the counts "
      "BASE's context.gate.tolerance names are judged (a baseline states what it gates); "
      "other counts are not compared");
  app.add_flag("--counts-only", o.counts_only,
               "Judge only the counts per request (the CI gate on a shared, noisy machine: times "
               "drift there, counts do not); benchmarks BASE gates no count on are skipped");
  app.footer(
      "Exit status: 0 no regression and every metric judged; 1 a regression; 2 bad flags or "
      "unreadable files; 3 no regression, but something could not be judged (too few "
      "repetitions for the U test, a count BASE gates that NEW lacks, a benchmark of BASE missing "
      "from NEW), so a gate fails loudly instead of passing silently.");
}

int run_compare_command(const CompareCommandOptions& o) {
  compare::CompareOptions options;
  try {
    options.threshold = compare::parse_fraction(o.threshold);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb compare: --threshold: %s\n", e.what());
    return 2;
  }
  options.alpha = o.alpha;
  options.counts_only = o.counts_only;
  compare::Comparison comparison;
  try {
    const compare::ResultFile base = compare::load_result_file(o.base);
    options.count_tolerance = base.count_tolerance;
    for (const std::string& text : o.tolerance) {
      try {
        const auto [metric, fraction] = compare::parse_count_tolerance(text);
        options.count_tolerance[metric] = fraction;
      } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "iomb compare: --tolerance: %s\n", e.what());
        return 2;
      }
    }
    if (options.counts_only && options.count_tolerance.empty()) {
      std::fprintf(stderr,
                   "iomb compare: --counts-only needs a count to judge: give --tolerance "
                   "'syscalls/req=5%%' or a baseline whose context.gate.tolerance names one\n");
      return 2;
    }
    comparison = compare::compare_results(base, compare::load_result_file(o.next), options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb compare: %s\n", e.what());
    return 2;
  }
  std::cout << compare::format_terminal_table(comparison) << std::endl;
  if (!o.markdown.empty()) {
    std::ofstream out(o.markdown);
    out << compare::format_markdown_table(comparison);
    if (!out) {
      std::fprintf(stderr, "iomb compare: cannot write %s\n", o.markdown.c_str());
      return 2;
    }
  }
  if (compare::has_significant_regression(comparison)) return 1;
  if (compare::has_unjudged(comparison)) {
    std::fprintf(stderr,
                 "iomb compare: not everything could be judged (see 'insufficient data' and "
                 "'only in base' above): exit 3, so a gate does not pass on missing evidence\n");
    return 3;
  }
  return 0;
}

}  // namespace iomb::harness
