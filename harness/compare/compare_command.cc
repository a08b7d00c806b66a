// Implementation of compare_command.h.
#include "harness/compare/compare_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>

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
  compare::Comparison comparison;
  try {
    comparison = compare::compare_results(compare::load_result_file(o.base),
                                          compare::load_result_file(o.next), options);
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
  return compare::has_significant_regression(comparison) ? 1 : 0;
}

}  // namespace iomb::harness
