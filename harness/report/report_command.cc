// Implementation of report_command.h.
#include "harness/report/report_command.h"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "harness/report/cell_groups.h"
#include "harness/report/gnuplot_runner.h"
#include "harness/report/html_page.h"
#include "harness/report/plot_builder.h"
#include "harness/report/plot_writer.h"
#include "harness/report/report_document.h"
#include "harness/report/result_loader.h"
#include "harness/report/summary_markdown.h"

namespace iomb::report {
namespace {

namespace fs = std::filesystem;

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw std::system_error(errno ? errno : EIO, std::generic_category(), "write " + path);
}

bool non_empty_file(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && fs::file_size(path, ec) > 0 && !ec;
}

// Writes every plot's script and data; renders them when gnuplot runs. Returns the rendered
// ones; *note says what is missing.
std::vector<PlotSpec> make_plots(std::vector<PlotSpec> plots, const ReportOptions& o,
                                 const std::string& out, std::string* note) {
  std::string why;
  auto gnuplot = find_gnuplot(o.gnuplot, &why);
  for (const PlotSpec& p : plots) {
    write_plot_files(p, out, gnuplot ? gnuplot->png_terminal : "pngcairo");
  }
  if (!gnuplot) {
    *note = "Plots skipped: " + why + ". Their gnuplot scripts (*.gp) and data (*.dat) are in " +
            "the report directory; run `gnuplot FILE.gp` there to draw them.";
    return {};
  }
  // One gnuplot process draws them all; a plot it did not draw (gnuplot stops at the first
  // error) is retried alone to find out why.
  std::vector<std::string> scripts;
  for (const PlotSpec& p : plots) {
    std::error_code ec;
    fs::remove(out + "/" + p.stem + ".svg", ec);
    fs::remove(out + "/" + p.stem + ".png", ec);
    scripts.push_back(p.stem + ".gp");
  }
  const auto timeout = std::chrono::seconds(o.gnuplot_timeout_s);
  std::string batch_error = run_gnuplot(*gnuplot, out, scripts, timeout);
  auto drawn = [&out](const PlotSpec& p) {
    return non_empty_file(out + "/" + p.stem + ".svg") &&
           non_empty_file(out + "/" + p.stem + ".png");
  };
  std::vector<PlotSpec> rendered;
  std::vector<std::string> failures;
  for (PlotSpec& p : plots) {
    std::string error;
    if (!drawn(p) && !batch_error.empty()) {
      error = run_gnuplot(*gnuplot, out, {p.stem + ".gp"}, timeout);
    }
    if (error.empty() && !drawn(p)) error = "gnuplot drew no SVG/PNG (see gnuplot.log)";
    if (error.empty()) {
      rendered.push_back(std::move(p));
    } else {
      failures.push_back(p.stem + ".gp: " + error);
    }
  }
  if (!failures.empty()) {
    *note = std::to_string(failures.size()) + " plot(s) failed: " + failures.front() +
            (failures.size() > 1 ? " (and more)" : "");
  }
  return rendered;
}

}  // namespace

ReportOutcome generate_report(const ReportOptions& o) {
  ReportOutcome outcome;
  outcome.out_dir = o.out.empty() ? o.dir : o.out;
  LoadedResults results = load_results(o.dir);
  if (results.records.empty()) {
    std::string why = results.warnings.empty() ? "" : " (" + results.warnings.front() + ")";
    throw std::runtime_error("no benchmark results in " + o.dir + why);
  }
  outcome.entries = results.records.size();
  std::error_code ec;
  fs::create_directories(outcome.out_dir, ec);
  if (ec) throw std::system_error(ec, "create " + outcome.out_dir);

  const std::vector<Cell> cells = build_cells(results.records);
  const std::string reference = resolve_reference(cells, o.reference);
  const std::vector<CellGroup> groups = group_cells(cells, reference);
  std::vector<PlotSpec> plots;
  if (o.plots) {
    plots = make_plots(build_plots(groups), o, outcome.out_dir, &outcome.plot_note);
  }
  for (const PlotSpec& p : plots) outcome.plots.push_back(p.stem);

  DocumentInput in;
  in.title = o.title;
  in.results = &results;
  in.cells = &cells;
  in.groups = &groups;
  in.plots = &plots;
  in.requested_reference = o.reference;
  in.reference = reference;
  in.plot_note = outcome.plot_note;
  const Document document = build_document(in);
  outcome.summary_path = outcome.out_dir + "/summary.md";
  outcome.html_path = outcome.out_dir + "/index.html";
  write_text(outcome.summary_path, render_markdown(document));
  write_text(outcome.html_path, render_html(document));
  return outcome;
}

int run_report_command(const ReportOptions& o) {
  try {
    ReportOutcome r = generate_report(o);
    if (!r.plot_note.empty()) std::fprintf(stderr, "iomb report: %s\n", r.plot_note.c_str());
    if (!o.quiet) {
      std::printf("iomb report: %zu entries → %s, %s, %zu plots in %s\n", r.entries,
                  r.summary_path.c_str(), r.html_path.c_str(), r.plots.size(), r.out_dir.c_str());
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb report: %s\n", e.what());
    return 1;
  }
}

}  // namespace iomb::report
