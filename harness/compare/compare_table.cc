// Implementation of compare_table.h.
#include "harness/compare/compare_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "harness/compare/mann_whitney.h"
#include "harness/result/number_text.h"

namespace iomb::compare {
namespace {

std::string printf_string(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

std::string p_text(const MetricComparison& m) {
  return std::isfinite(m.p_value) ? printf_string("%.3f", m.p_value) : "-";
}

std::string verdict_text(const MetricComparison& m) {
  std::string text = verdict_name(m.verdict);
  if (!m.note.empty()) text += " (" + m.note + ")";
  return text;
}

using Table = std::vector<std::vector<std::string>>;

Table table_rows(const Comparison& comparison) {
  Table rows;
  for (const auto& row : comparison.rows) {
    bool first = true;
    for (const auto& m : row.metrics) {
      rows.push_back({first ? row.name : "", m.metric, format_metric_value(m.metric, m.base_median),
                      format_metric_value(m.metric, m.new_median), format_change(m.change),
                      p_text(m), std::to_string(m.base_n) + "/" + std::to_string(m.new_n),
                      judged_by(m), verdict_text(m)});
      first = false;
    }
  }
  return rows;
}

const std::vector<std::string> kHeader = {"benchmark", "metric", "base",      "new",    "change",
                                          "p",         "n",      "judged by", "verdict"};

std::string unmatched_lines(const Comparison& comparison, const std::string& bullet) {
  std::string out;
  for (const auto& name : comparison.only_in_base) out += bullet + "only in base: " + name + "\n";
  for (const auto& name : comparison.only_in_new) out += bullet + "only in new: " + name + "\n";
  return out;
}

}  // namespace

std::string format_metric_value(const std::string& metric, double value) {
  if (!std::isfinite(value)) return "n/a";
  if (metric == "throughput") return result::si_text(value) + "/s";
  if (metric == "p99") return result::nanoseconds_text(value * 1e3);
  if (metric == "cpu/req") return result::nanoseconds_text(value);
  return result::si_text(value);
}

std::string format_change(double change) {
  if (!std::isfinite(change)) return "n/a";
  return printf_string("%+.1f%%", change * 100);
}

std::string format_summary(const Comparison& comparison) {
  int counts[4] = {0, 0, 0, 0};
  for (const auto& row : comparison.rows) ++counts[static_cast<int>(row.verdict)];
  std::string threshold = printf_string("%g", comparison.options.threshold * 100);
  std::string judged = comparison.options.counts_only
                           ? "counts only"
                           : "times: two-sided Mann-Whitney U, alpha " +
                                 printf_string("%g", comparison.options.alpha) + ", threshold " +
                                 threshold + "%";
  for (const auto& [metric, tolerance] : comparison.options.count_tolerance) {
    judged += "; " + metric + ": tolerance " + printf_string("%g", tolerance * 100) + "%";
  }
  return std::to_string(counts[static_cast<int>(Verdict::kRegressed)]) + " regressed, " +
         std::to_string(counts[static_cast<int>(Verdict::kImproved)]) + " improved, " +
         std::to_string(counts[static_cast<int>(Verdict::kNoChange)]) + " no change, " +
         std::to_string(counts[static_cast<int>(Verdict::kInsufficientData)]) +
         " insufficient data (" + judged + ")";
}

std::string format_repetitions_hint(const Comparison& comparison) {
  size_t fewest = 0;
  for (const auto& row : comparison.rows) {
    for (const auto& m : row.metrics) {
      if (m.verdict != Verdict::kInsufficientData || m.tolerance > 0) continue;
      const size_t n = std::min(m.base_n, m.new_n);
      if (fewest == 0 || n < fewest) fewest = n;
    }
  }
  if (fewest == 0) return "";
  size_t needed = 1;
  while (needed < 1000 && min_attainable_p(needed, needed) >= comparison.options.alpha) ++needed;
  return "note: with " + std::to_string(fewest) +
         " repetitions per side no difference can reach p < " +
         printf_string("%g", comparison.options.alpha) + "; use at least " +
         std::to_string(needed) + " repetitions on each side";
}

std::string format_terminal_table(const Comparison& comparison) {
  Table rows = table_rows(comparison);
  std::vector<size_t> width(kHeader.size());
  for (size_t c = 0; c < kHeader.size(); ++c) width[c] = kHeader[c].size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  auto line = [&width](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      // Text columns left-aligned, numbers right-aligned.
      const bool left = c < 2 || c + 2 >= cells.size();
      const std::string pad(width[c] - cells[c].size(), ' ');
      out += left ? cells[c] + pad : pad + cells[c];
      if (c + 1 < cells.size()) out += "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(kHeader);
  for (const auto& row : rows) out += line(row);
  out += unmatched_lines(comparison, "");
  out += format_summary(comparison) + "\n";
  if (std::string hint = format_repetitions_hint(comparison); !hint.empty()) out += hint + "\n";
  return out;
}

std::string format_markdown_table(const Comparison& comparison) {
  auto escape = [](const std::string& cell) {
    std::string out;
    for (char c : cell) {
      if (c == '|') out += '\\';
      out += c;
    }
    return out;
  };
  std::string out = "| " + kHeader[0];
  for (size_t c = 1; c < kHeader.size(); ++c) out += " | " + kHeader[c];
  out += " |\n|---|---|--:|--:|--:|--:|--:|---|---|\n";
  for (const auto& row : table_rows(comparison)) {
    out += "|";
    for (size_t c = 0; c < row.size(); ++c) {
      std::string cell = escape(row[c]);
      if (c == 0 && !cell.empty()) cell = "`" + cell + "`";
      if (c + 1 == row.size() &&
          (row[c] == "regressed" || row[c] == "improved" || row[c].starts_with("insufficient"))) {
        cell = "**" + cell + "**";
      }
      out += " " + cell + " |";
    }
    out += "\n";
  }
  std::string unmatched = unmatched_lines(comparison, "- ");
  if (!unmatched.empty()) out += "\n" + unmatched;
  out += "\n" + format_summary(comparison) + "\n";
  if (std::string hint = format_repetitions_hint(comparison); !hint.empty()) {
    out += "\n" + hint + "\n";
  }
  return out;
}

}  // namespace iomb::compare
