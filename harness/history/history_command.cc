// Implementation of history_command.h.
#include "harness/history/history_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "harness/history/history_analysis.h"
#include "harness/history/history_series.h"
#include "harness/history/history_table.h"

namespace iomb::harness {
namespace {

constexpr size_t kFewestResults = 3;

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "iomb history: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

}  // namespace

void add_history_command_flags(CLI::App& app, HistoryCommandOptions& o) {
  app.footer(
      "For every benchmark and metric (throughput, p99, cpu/req; syscalls/req and ctx "
      "switches/req when counted) the medians of the results form a series; E-divisive means "
      "(Matteson & James 2014) bisects it where the energy distance between the two sides is "
      "largest and keeps a split when a permutation test finds it significant. Each change point "
      "names the first result after it (its git sha from the file's context, else its file "
      "name), the medians before and after, and whether it is a regression.\n\n"
      "Exit codes: 0 done; 1 with --fail-on-regression when the latest change point of any "
      "series is a regression; 2 bad flags or input (unreadable file, fewer than 3 results).\n\n"
      "Example: iomb history results/ci/*/results.json --markdown history.md "
      "--fail-on-regression");
  app.add_option("RESULT", o.results,
                 "Result files of successive commits, oldest first (iomb matrix's results.json "
                 "or any Google Benchmark JSON); at least 3")
      ->required();
  app.add_option("--pvalue", o.pvalue, "Largest permutation p-value that keeps a change point")
      ->check(CLI::Range(1e-6, 0.5))
      ->capture_default_str();
  app.add_option("--permutations", o.permutations,
                 "Permutations per test (p-values are multiples of 1/(N+1))")
      ->check(CLI::Range(19, 100000))
      ->capture_default_str();
  app.add_option("--min-segment", o.min_segment,
                 "Fewest results on either side of a change point; a change in the last N-1 "
                 "results is not reported yet")
      ->check(CLI::Range(2, 1000))
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of the permutations (same seed, same answer)")
      ->capture_default_str();
  app.add_option("--markdown", o.markdown, "Also write the change points as a Markdown table here");
  app.add_option("--json", o.json, "Also write the change points as JSON here");
  app.add_flag("--fail-on-regression", o.fail_on_regression,
               "Exit 1 when the latest change point of any benchmark and metric is a regression");
}

int run_history_command(const HistoryCommandOptions& o) {
  if (o.results.size() < kFewestResults) {
    std::fprintf(stderr,
                 "iomb history: %zu result file(s) given; a history needs at least %zu "
                 "(oldest first)\n",
                 o.results.size(), kFewestResults);
    return 2;
  }
  history::EDivisiveOptions options;
  options.max_p_value = o.pvalue;
  options.permutations = o.permutations;
  options.min_segment = o.min_segment;
  options.seed = o.seed;
  history::HistoryReport report;
  try {
    const history::HistoryInput input = history::load_history(o.results);
    if (input.series.empty()) {
      std::fprintf(stderr, "iomb history: no benchmark in these files carries a usable metric\n");
      return 2;
    }
    report = history::analyse_history(input, options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb history: %s\n", e.what());
    return 2;
  }
  std::cout << history::format_history_terminal(report) << std::flush;
  if (!o.markdown.empty() && !write_file(o.markdown, history::format_history_markdown(report))) {
    return 2;
  }
  if (!o.json.empty() && !write_file(o.json, history::history_json(report).dump(2) + "\n")) {
    return 2;
  }
  return o.fail_on_regression && history::latest_change_is_regression(report) ? 1 : 0;
}

}  // namespace iomb::harness
