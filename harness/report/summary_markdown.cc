// Implementation of summary_markdown.h.
#include "harness/report/summary_markdown.h"

namespace iomb::report {
namespace {

// Table cells cannot hold '|' or line breaks.
std::string cell_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_table(const Table& t) {
  std::string s;
  if (!t.caption.empty()) s += "*" + t.caption + "*\n\n";
  s += "|";
  for (const auto& h : t.header) s += " " + cell_text(h) + " |";
  s += "\n|";
  for (size_t i = 0; i < t.header.size(); ++i) {
    bool text = i == 0 || (t.notes_column && i + 1 == t.header.size());
    s += text ? "---|" : "---:|";
  }
  s += "\n";
  for (const auto& row : t.rows) {
    s += "|";
    for (const auto& c : row) {
      std::string text = cell_text(c.text);
      s += " " + (c.flagged && !text.empty() ? "**" + text + "**" : text) + " |";
    }
    s += "\n";
  }
  return s + "\n";
}

}  // namespace

std::string render_markdown(const Document& d) {
  std::string s = "# " + d.title + "\n\n";
  s += "## Context\n\n| | |\n|---|---|\n";
  for (const auto& [label, value] : d.context) {
    s += "| " + cell_text(label) + " | " + cell_text(value) + " |\n";
  }
  s += "\n";
  for (const auto& note : d.notes) s += "> " + note + "\n>\n";
  if (!d.notes.empty()) s.resize(s.size() - 2);
  s += "\n";
  for (const auto& w : d.warnings) s += "- warning: " + w + "\n";
  if (!d.warnings.empty()) s += "\n";
  for (const Section& sec : d.sections) {
    s += "## " + sec.title + "\n\n";
    for (const Table& t : sec.tables) s += render_table(t);
    for (const PlotRef& p : sec.plots) {
      s += "![" + p.title + "](" + p.stem + ".svg) ";
    }
    if (!sec.plots.empty()) s += "\n\n";
  }
  s += "## Skipped and failed\n\n";
  if (d.skipped.rows.empty()) {
    s += "None: every model in these results ran.\n";
  } else {
    s += render_table(d.skipped);
  }
  return s;
}

}  // namespace iomb::report
