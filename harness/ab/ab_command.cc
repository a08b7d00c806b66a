// Implementation of ab_command.h: the flags, the doubled matrix run through the matrix's own
// runner, then the pairing, the tables and the exit code.
#include "harness/ab/ab_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "harness/ab/ab_comparison.h"
#include "harness/ab/ab_plan.h"
#include "harness/ab/ab_table.h"
#include "harness/ab/paired_test.h"
#include "harness/matrix/matrix_command.h"
#include "harness/matrix/matrix_plan.h"
#include "harness/matrix/matrix_text.h"
#include "harness/matrix/presets.h"
#include "harness/result/result_file.h"
#include "harness/result/result_json.h"

namespace iomb::ab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// <out>/base.json and <out>/candidate.json: each build's runs under the plain benchmark names,
// so `iomb compare base.json candidate.json` and `iomb report` read them as usual.
void write_side_files(const std::string& out, const result::ResultDocument& doc) {
  std::vector<json> side[2];
  for (const json& e : doc.benchmarks) {
    if (!e.is_object() || e.value("run_type", "iteration") != "iteration") continue;
    const auto split = split_side(e.value("run_name", e.value("name", "")));
    if (!split) continue;
    json renamed = e;
    renamed["name"] = split->cell;
    renamed["run_name"] = split->cell;
    side[split->side == Side::kBase ? 0 : 1].push_back(std::move(renamed));
  }
  result::write_result_file(out + "/base.json", doc.context, side[0]);
  result::write_result_file(out + "/candidate.json", doc.context, side[1]);
}

}  // namespace

void add_ab_command_flags(CLI::App& app, AbCommandOptions& o) {
  app.footer(
      "Each cell of the matrix runs base and candidate back to back, a fresh server each, for "
      "--repetitions rounds (base first in even rounds, the candidate first in odd ones, so an "
      "order effect cancels); repetition i of the base is paired with repetition i of the "
      "candidate. Per cell and metric (server CPU per request, throughput, p99, syscalls and "
      "context switches per request when measured): the ratios candidate/base, their median "
      "and range, and a one-sided Wilcoxon signed-rank test on the log ratios. A metric "
      "regresses when the median ratio moves past --threshold the wrong way with p < --alpha. "
      "n pairs give at best p = 0.5^n: 5 reach 0.05.\n"
      "Writes <out>/results.json (both builds, names with @base/@candidate), base.json and "
      "candidate.json (plain names, for iomb compare and iomb report), raw/ (each run).\n"
      "Exit: 0 no regression, 1 regression, 2 usage or IO error, 3 INSUFFICIENT DATA (too few "
      "pairs to reach alpha somewhere, and no regression).");
  app.add_option("--base", o.base, "Bin directory of the baseline build (holds iomb-<model>)")
      ->required();
  app.add_option("--candidate", o.candidate, "Bin directory of the candidate build")->required();
  auto* preset = app.add_option("--preset", o.preset, "Built-in matrix to run (default: ci)")
                     ->check(CLI::IsMember(matrix::preset_names()));
  app.add_option("--config", o.config, "A TOML matrix instead (schema: results/README.md)")
      ->check(CLI::ExistingFile)
      ->excludes(preset);
  app.add_option("-r,--repetitions", o.repetitions, "Pairs per cell (5 reach alpha 0.05)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--threshold", o.threshold,
                 "Smallest change of the median ratio that counts (5% or 0.05)")
      ->capture_default_str();
  app.add_option("--alpha", o.alpha, "One-sided significance level of the signed-rank test")
      ->check(CLI::Range(1e-9, 0.5))
      ->capture_default_str();
  app.add_option("--out", o.out, "Output directory (default results/runs/<UTC time>-ab-<name>)");
  app.add_option("--markdown", o.markdown, "Also write the verdicts as a Markdown table here");
  app.add_option("--duration", o.duration, "Override every run's measured time (e.g. 500ms)");
  app.add_option("--warmup", o.warmup, "Override every run's warm-up");
  app.add_option("--server-cpus", o.server_cpus, "Passed to every iomb run");
  app.add_option("--client-cpus", o.client_cpus, "Passed to every iomb run");
}

int run_ab_command(const AbCommandOptions& o, int argc, char** argv) {
  AbOptions options;
  try {
    options.threshold = compare::parse_fraction(o.threshold);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb ab: --threshold: %s\n", e.what());
    return 2;
  }
  options.alpha = o.alpha;

  matrix::MatrixOptions m;
  m.preset = o.config.empty() && o.preset.empty() ? "ci" : o.preset;
  m.config = o.config;
  m.repetitions = o.repetitions;
  m.duration = o.duration;
  m.warmup = o.warmup;
  m.server_cpus = o.server_cpus;
  m.client_cpus = o.client_cpus;
  m.no_floor = true;  // the floor is the same for both builds: ratios do not need it
  matrix::MatrixSpec spec;
  std::string source, text;
  try {
    spec = matrix::load_matrix_spec(m, &source, &text);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb ab: %s\n", e.what());
    return 2;
  }
  for (const auto& [flag, dir] : {std::pair{"--base", o.base}, {"--candidate", o.candidate}}) {
    if (std::string why = check_build_dir(flag, dir, spec); !why.empty()) {
      std::fprintf(stderr, "iomb ab: %s\n", why.c_str());
      return 2;
    }
  }
  if (min_attainable_one_sided_p(static_cast<size_t>(spec.repetitions)) >= options.alpha) {
    std::fprintf(stderr,
                 "iomb ab: WARNING: %d repetitions cannot reach alpha %.3g (best p = 0.5^n); "
                 "every cell will be INSUFFICIENT DATA\n",
                 spec.repetitions, options.alpha);
  }
  const std::string base = fs::absolute(o.base).lexically_normal().string();
  const std::string candidate = fs::absolute(o.candidate).lexically_normal().string();
  matrix::MatrixSpec doubled = ab_matrix(spec, base, candidate);
  m.out = o.out.empty() ? "results/runs/" + result::utc_stamp() + "-" + matrix::slug(doubled.name)
                        : o.out;
  std::fprintf(stderr,
               "iomb ab: base %s vs candidate %s: %zu cells x %d repetitions, each pair back "
               "to back; results in %s\n",
               base.c_str(), candidate.c_str(),
               matrix::closed_loop_cells(spec).size() + matrix::open_loop_cell_count(spec),
               spec.repetitions, m.out.c_str());

  const int matrix_rc = matrix::run_loaded_matrix(
      std::move(doubled), source + ", doubled by iomb ab", text, m, argc, argv);
  if (matrix_rc > 100) return matrix_rc;  // interrupted: the partial results stay in --out
  result::ResultDocument doc;
  try {
    doc = result::read_result_file(m.out + "/results.json");
    write_side_files(m.out, doc);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb ab: %s\n", e.what());
    return 2;
  }
  std::vector<json> entries(doc.benchmarks.begin(), doc.benchmarks.end());
  const AbComparison comparison = compare_ab(entries, options);
  std::cout << format_ab_terminal(comparison) << std::flush;
  if (!o.markdown.empty()) {
    std::ofstream md(o.markdown);
    md << format_ab_markdown(comparison);
    if (!md) {
      std::fprintf(stderr, "iomb ab: cannot write %s\n", o.markdown.c_str());
      return 2;
    }
  }
  const int rc = ab_exit_code(comparison);
  if (rc == 3) {
    std::fprintf(stderr,
                 "iomb ab: INSUFFICIENT DATA: no regression found, but some cell could not be "
                 "judged (exit 3)\n");
  }
  return rc;
}

}  // namespace iomb::ab
