// Implementation of history_table.h.
#include "harness/history/history_table.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <vector>

#include "harness/result/number_text.h"

namespace iomb::history {
namespace {

std::string printf_string(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

std::string short_commit(const std::string& commit) {
  const bool hex = commit.size() == 40 && std::all_of(commit.begin(), commit.end(), [](char c) {
                     return std::isxdigit(static_cast<unsigned char>(c));
                   });
  return hex ? commit.substr(0, 12) : commit;
}

using Row = std::vector<std::string>;
const Row kHeader = {"benchmark", "metric", "at", "commit", "before",
                     "after",     "change", "p",  "verdict"};

std::string verdict(const ChangeReport& c) {
  if (c.measure->better == result::Better::kNeither || !std::isfinite(c.change)) return "changed";
  return c.regression ? "regressed" : "improved";
}

std::vector<Row> table_rows(const HistoryReport& report) {
  std::vector<Row> rows;
  for (const ChangeReport& c : report.changes) {
    const std::string change =
        std::isfinite(c.change) ? printf_string("%+.1f%%", c.change * 100) : "n/a";
    rows.push_back({c.benchmark, c.measure->label, "#" + std::to_string(c.result_index),
                    short_commit(c.commit), format_measure_value(*c.measure, c.before),
                    format_measure_value(*c.measure, c.after), change,
                    printf_string("%.3f", c.p_value), verdict(c) + (c.latest ? " (latest)" : "")});
  }
  return rows;
}

std::string summary(const HistoryReport& report) {
  size_t regressions = 0;
  for (const ChangeReport& c : report.changes) regressions += c.regression ? 1 : 0;
  std::string out = std::to_string(report.changes.size()) + " change point(s), " +
                    std::to_string(regressions) + " regression(s) over " +
                    std::to_string(report.results.size()) + " results and " +
                    std::to_string(report.series_count) + " series (E-divisive means, " +
                    std::to_string(report.options.permutations) +
                    " permutations, p <= " + printf_string("%g", report.options.max_p_value) +
                    ", segments of >= " + std::to_string(report.options.min_segment) + ")";
  if (report.series_too_short > 0) {
    out += "; " + std::to_string(report.series_too_short) + " series had fewer than " +
           std::to_string(2 * report.options.min_segment) + " points and were not searched";
  }
  if (latest_change_is_regression(report)) {
    out += "\nthe latest change point of at least one series is a regression";
  }
  return out;
}

}  // namespace

std::string format_measure_value(const result::Measure& measure, double value) {
  if (!std::isfinite(value)) return "n/a";
  const std::string unit = measure.unit;
  if (unit == "req/s") return result::si_text(value) + " req/s";
  if (unit == "B/s") return result::si_text(value) + "B/s";
  if (unit == "us") return result::nanoseconds_text(value * 1e3);
  if (unit == "ns/req") return result::nanoseconds_text(value) + "/req";
  return result::three_digits(value) + " " + unit;
}

std::string format_history_terminal(const HistoryReport& report) {
  const std::vector<Row> rows = table_rows(report);
  std::string out;
  if (!rows.empty()) {
    std::vector<size_t> width(kHeader.size());
    for (size_t c = 0; c < kHeader.size(); ++c) width[c] = kHeader[c].size();
    for (const Row& row : rows) {
      for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    }
    auto line = [&width](const Row& cells) {
      std::string text;
      for (size_t c = 0; c < cells.size(); ++c) {
        const bool left = c < 4 || c + 1 == cells.size();  // text left, numbers right
        const std::string pad(width[c] - cells[c].size(), ' ');
        text += left ? cells[c] + pad : pad + cells[c];
        if (c + 1 < cells.size()) text += "  ";
      }
      while (!text.empty() && text.back() == ' ') text.pop_back();
      return text + "\n";
    };
    out += line(kHeader);
    for (const Row& row : rows) out += line(row);
  }
  return out + summary(report) + "\n";
}

std::string format_history_markdown(const HistoryReport& report) {
  auto escape = [](const std::string& cell) {
    std::string text;
    for (char c : cell) {
      if (c == '|') text += '\\';
      text += c;
    }
    return text;
  };
  std::string out = "### iomb history: change points\n\n";
  const std::vector<Row> rows = table_rows(report);
  if (rows.empty()) {
    out += "No change point.\n";
  } else {
    out += "| " + kHeader[0];
    for (size_t c = 1; c < kHeader.size(); ++c) out += " | " + kHeader[c];
    out += " |\n|---|---|--:|---|--:|--:|--:|--:|---|\n";
    for (const Row& row : rows) {
      out += "|";
      for (size_t c = 0; c < row.size(); ++c) {
        std::string cell = escape(row[c]);
        if ((c == 0 || c == 3) && !cell.empty()) cell = "`" + cell + "`";
        if (c + 1 == row.size() && row[c].starts_with("regressed")) cell = "**" + cell + "**";
        out += " " + cell + " |";
      }
      out += "\n";
    }
  }
  return out + "\n" + summary(report) + "\n";
}

}  // namespace iomb::history
