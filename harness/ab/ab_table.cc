// Implementation of ab_table.h.
#include "harness/ab/ab_table.h"

#include <cmath>
#include <cstdio>

#include "harness/ab/paired_test.h"
#include "harness/result/benchmark_name.h"

namespace iomb::ab {
namespace {

std::string printf_text(const char* format, auto... args) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, format, args...);
  return buffer;
}

const char* shouted(Verdict v) {
  switch (v) {
    case Verdict::kRegressed:
      return "REGRESSED";
    case Verdict::kImproved:
      return "improved";
    case Verdict::kNoChange:
      return "no change";
    case Verdict::kInsufficientData:
      return "INSUFFICIENT DATA";
  }
  return "?";
}

std::string size_text(uint64_t size) {
  if (size >= 1024 * 1024 && size % (1024 * 1024) == 0) {
    return std::to_string(size / (1024 * 1024)) + "MiB";
  }
  if (size >= 1024 && size % 1024 == 0) return std::to_string(size / 1024) + "KiB";
  return std::to_string(size) + "B";
}

std::string change_text(const PairedMetric& m) {
  return printf_text("%+.1f %%", (m.median_ratio - 1) * 100);
}

std::string p_text(const PairedMetric& m) {
  return std::isnan(m.p_value) ? "n/a" : printf_text("%.3g", m.p_value);
}

std::string detail_text(const PairedMetric& m) {
  if (!m.note.empty()) return printf_text("ratio %.3f, ", m.median_ratio) + m.note;
  if (m.counted_once) {
    return printf_text("ratio %.3f of one count per side, copied to every run", m.median_ratio);
  }
  return printf_text("median ratio %.3f, min %.3f, max %.3f, %zu/%zu pairs worse, p=%s",
                     m.median_ratio, m.min_ratio, m.max_ratio, m.worse, m.ratios.size(),
                     p_text(m).c_str());
}

size_t repetitions_for(double alpha) {
  size_t n = 1;
  while (min_attainable_one_sided_p(n) >= alpha && n < 64) ++n;
  return n;
}

}  // namespace

std::string cell_label(const std::string& name) {
  const auto n = result::BenchmarkName::parse(name);
  if (!n) return name;
  std::string label = n->model + " " + (n->mode.empty() ? "default" : n->mode) + " " + n->protocol +
                      " " + size_text(n->size) + " c" + std::to_string(n->connections);
  if (n->depth != 1) label += " d" + std::to_string(n->depth);
  if (n->rate) label += printf_text(" %.0f/s", *n->rate);
  if (!n->path.empty()) label += " /" + n->path;
  return label;
}

std::string format_ab_terminal(const AbComparison& comparison) {
  std::string out;
  for (const CellAb& cell : comparison.cells) {
    const std::string label = cell_label(cell.name);
    if (cell.metrics.empty() || !cell.note.empty()) {
      out += label + ": " + shouted(cell.verdict) + " (" +
             (cell.note.empty() ? "no metric measured on both sides" : cell.note) + ", " +
             std::to_string(cell.pairs) + " pairs)\n";
    }
    for (const PairedMetric& m : cell.metrics) {
      out += label + ": " + m.metric + " " + change_text(m) + " (" + detail_text(m) + ") " +
             (m.judged ? shouted(m.verdict) : std::string("not judged")) + "\n";
    }
  }
  return out + format_ab_summary(comparison);
}

std::string format_ab_markdown(const AbComparison& comparison) {
  std::string out = "### iomb ab: candidate vs base (same job, interleaved)\n\n";
  out += "| cell | metric | change | median ratio | min | max | pairs worse | p | verdict |\n";
  out += "|---|---|---:|---:|---:|---:|---:|---:|---|\n";
  for (const CellAb& cell : comparison.cells) {
    const std::string label = cell_label(cell.name);
    if (cell.metrics.empty() || !cell.note.empty()) {
      out += "| " + label + " | | | | | | | | **" + shouted(cell.verdict) + "**: " + cell.note +
             " |\n";
    }
    for (const PairedMetric& m : cell.metrics) {
      const bool loud = m.verdict == Verdict::kRegressed || m.verdict == Verdict::kInsufficientData;
      out += "| " + label + " | " + m.metric + " | " + change_text(m) + " | " +
             printf_text("%.3f | %.3f | %.3f", m.median_ratio, m.min_ratio, m.max_ratio) + " | " +
             (m.counted_once ? std::string("one count")
                             : std::to_string(m.worse) + "/" + std::to_string(m.ratios.size())) +
             " | " + p_text(m) + " | " + (loud ? "**" : "") +
             (m.judged ? shouted(m.verdict) : std::string("not judged")) + (loud ? "**" : "") +
             " |\n";
    }
  }
  return out + "\n" + format_ab_summary(comparison);
}

std::string format_ab_summary(const AbComparison& comparison) {
  size_t count[4] = {};
  for (const CellAb& cell : comparison.cells) ++count[static_cast<int>(cell.verdict)];
  const auto& o = comparison.options;
  std::string out = printf_text(
      "%zu cells: %zu REGRESSED, %zu improved, %zu no change, %zu INSUFFICIENT DATA (threshold "
      "%.3g %% on the median ratio, alpha %.3g, one-sided Wilcoxon signed-rank on the log "
      "ratios)\n",
      comparison.cells.size(), count[static_cast<int>(Verdict::kRegressed)],
      count[static_cast<int>(Verdict::kImproved)], count[static_cast<int>(Verdict::kNoChange)],
      count[static_cast<int>(Verdict::kInsufficientData)], o.threshold * 100, o.alpha);
  if (count[static_cast<int>(Verdict::kInsufficientData)] > 0 || comparison.cells.empty()) {
    out += printf_text(
        "INSUFFICIENT DATA: n pairs give at best p = 0.5^n, so alpha %.3g needs at least %zu "
        "pairs per cell measured on both sides (--repetitions)\n",
        o.alpha, repetitions_for(o.alpha));
  }
  return out;
}

}  // namespace iomb::ab
