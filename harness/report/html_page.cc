// Implementation of html_page.h.
#include "harness/report/html_page.h"

namespace iomb::report {
namespace {

constexpr const char* kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1500px;
       color: #222; background: #fff; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0 1.2em; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; white-space: nowrap; }
th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
td.flag { background: #fff0d0; color: #8a4b00; font-weight: 600; white-space: normal; }
table.notes td:last-child { text-align: left; white-space: normal; min-width: 10em; }
.scroll { overflow-x: auto; }
caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: 0.3em; }
.context td { text-align: left; white-space: normal; }
.note { background: #f6f8fa; border-left: 4px solid #888; padding: 0.4em 0.8em; margin: 0.5em 0; }
.warning { color: #8a4b00; }
.plots { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; width: calc(50% - 0.5em); min-width: 480px; }
figure img { width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.8em; color: #555; }
nav a { margin-right: 1em; }
)";

std::string render_table(const Table& t, std::string css_class = "") {
  if (t.notes_column) css_class += css_class.empty() ? "notes" : " notes";
  std::string s = "<table" + (css_class.empty() ? "" : " class=\"" + css_class + "\"") + ">";
  if (!t.caption.empty()) s += "<caption>" + html_escape(t.caption) + "</caption>";
  if (!t.header.empty()) {
    s += "<thead><tr>";
    for (const auto& h : t.header) s += "<th>" + html_escape(h) + "</th>";
    s += "</tr></thead>";
  }
  s += "<tbody>\n";
  for (const auto& row : t.rows) {
    s += "<tr>";
    for (const auto& c : row) {
      s += std::string(c.flagged && !c.text.empty() ? "<td class=\"flag\">" : "<td>") +
           html_escape(c.text) + "</td>";
    }
    s += "</tr>\n";
  }
  return s + "</tbody></table>\n";
}

std::string render_plot(const PlotRef& p) {
  const std::string stem = html_escape(p.stem);
  return "<figure><a href=\"" + stem + ".svg\"><img src=\"" + stem + ".svg\" alt=\"" +
         html_escape(p.title) + "\"></a><figcaption>" + html_escape(p.title) + " — <a href=\"" +
         stem + ".png\">PNG</a> · <a href=\"" + stem + ".gp\">gnuplot script</a> · <a href=\"" +
         stem + ".dat\">data</a></figcaption></figure>\n";
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_html(const Document& d) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  s +=
      "<title>" + html_escape(d.title) + "</title>\n<style>" + kStyle + "</style></head>\n<body>\n";
  s += "<h1>" + html_escape(d.title) + "</h1>\n<nav>";
  for (const Section& sec : d.sections) {
    s += "<a href=\"#" + html_escape(sec.id) + "\">" + html_escape(sec.title) + "</a> ";
  }
  s += "<a href=\"#skipped\">Skipped and failed</a></nav>\n";
  Table context;
  for (const auto& [label, value] : d.context) context.rows.push_back({{label}, {value}});
  s += "<h2>Context</h2>\n" + render_table(context, "context");
  for (const auto& note : d.notes) s += "<p class=\"note\">" + html_escape(note) + "</p>\n";
  for (const auto& w : d.warnings)
    s += "<p class=\"warning\">warning: " + html_escape(w) + "</p>\n";
  for (const Section& sec : d.sections) {
    s += "<h2 id=\"" + html_escape(sec.id) + "\">" + html_escape(sec.title) + "</h2>\n";
    // Wide tables scroll inside the page instead of widening it.
    for (const Table& t : sec.tables) s += "<div class=\"scroll\">" + render_table(t) + "</div>\n";
    if (!sec.plots.empty()) {
      s += "<div class=\"plots\">\n";
      for (const PlotRef& p : sec.plots) s += render_plot(p);
      s += "</div>\n";
    }
  }
  s += "<h2 id=\"skipped\">Skipped and failed</h2>\n";
  s += d.skipped.rows.empty() ? "<p>None: every model in these results ran.</p>\n"
                              : render_table(d.skipped);
  return s + "</body></html>\n";
}

}  // namespace iomb::report
