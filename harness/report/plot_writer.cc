// Implementation of plot_writer.h.
#include "harness/report/plot_writer.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <system_error>

#include "harness/report/plot_builder.h"

namespace iomb::report {
namespace {

// A gnuplot double-quoted string.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Points a log axis cannot show are left out of the data file.
bool drawable(const PlotSpec& p, const PlotPoint& pt) {
  return std::isfinite(pt.x) && std::isfinite(pt.y) && (!p.log_x || pt.x > 0) &&
         (!p.log_y || pt.y > 0);
}

bool any_marked(const PlotSpec& p) {
  for (const auto& s : p.series) {
    for (const auto& pt : s.points) {
      if (pt.marked && drawable(p, pt)) return true;
    }
  }
  return false;
}

bool any_error_bars(const PlotSpec& p) {
  for (const auto& s : p.series) {
    for (const auto& pt : s.points) {
      if (pt.y_low || pt.y_high) return true;
    }
  }
  return false;
}

// xtics "50%" at 2, "90%" at 10, "99%" at 100 ... up to the data; '%%' because gnuplot reads
// tic labels as format strings.
std::string percentile_tics(const PlotSpec& p) {
  double max_x = 2;
  for (const auto& s : p.series) {
    for (const auto& pt : s.points) max_x = std::max(max_x, pt.x);
  }
  std::string tics = "set xtics (\"50%%\" 2";
  double x = 10;
  for (int nines = 1; nines <= 7; ++nines, x *= 10) {
    std::string percent = nines == 1 ? "90" : "99";
    if (nines > 2) percent += "." + std::string(static_cast<size_t>(nines - 2), '9');
    tics += ", \"" + percent + "%%\" " + num(x);
    if (x >= max_x * (1 - 1e-9)) break;  // 100/(100-99.9) is 1000.0000000001
  }
  return tics + ")\nset xrange [1:" + num(x) + "]\n";
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw std::system_error(errno ? errno : EIO, std::generic_category(), "write " + path);
}

}  // namespace

std::string gnuplot_data(const PlotSpec& p) {
  std::string out;
  for (size_t i = 0; i < p.series.size(); ++i) {
    if (i) out += "\n\n";
    out += "# " + p.series[i].title + ": x y y_low y_high marked\n";
    int written = 0;
    for (const auto& pt : p.series[i].points) {
      if (!drawable(p, pt)) continue;
      out += num(pt.x) + " " + num(pt.y) + " " + num(pt.y_low.value_or(pt.y)) + " " +
             num(pt.y_high.value_or(pt.y)) + " " + (pt.marked ? "1" : "0") + "\n";
      ++written;
    }
    // gnuplot rejects an empty index block; a comment-only block would shift the indices.
    if (written == 0) out += "nan nan nan nan 0\n";
  }
  return out;
}

std::string gnuplot_script(const PlotSpec& p, const std::string& png_terminal) {
  const std::string data = quoted(p.stem + ".dat");
  std::string s = "# " + p.title + "\n# Run from this directory: gnuplot " + p.stem + ".gp\n";
  s += "set encoding utf8\n";
  s += "set terminal svg size 960,560 dynamic noenhanced font 'Sans,12' background '#ffffff'\n";
  s += "set output " + quoted(p.stem + ".svg") + "\n";
  s += "set title " + quoted(p.title) + "\n";
  s += "set xlabel " + quoted(p.x_label) + " offset 0,0.4\nset ylabel " + quoted(p.y_label) + "\n";
  s += "set grid xtics ytics mxtics mytics lc rgb '#dddddd'\n";
  s += "set key below\n";
  // Keeps end points (and their flag circles) off the frame.
  s += "set offsets graph 0.03, graph 0.03, graph 0.05, 0\n";
  if (!p.y_format.empty()) s += "set format y " + quoted(p.y_format) + "\n";
  s += "set datafile missing 'nan'\n";
  if (p.log_x) s += "set logscale x 10\n";
  if (!p.log_x && !p.percentile_axis) s += "set xrange [0:*]\n";  // no negative offered load
  if (p.log_y) s += "set logscale y 10\n";
  if (p.percentile_axis) s += percentile_tics(p);
  if (!p.log_y) s += "set yrange [0:*]\n";
  const bool bars = any_error_bars(p);
  std::string plot = "plot ";
  // gnuplot cycles 8 colours: past them, a series differs by dash and point shape too (the
  // full matrix plots 12 servers).
  static constexpr int kPointTypes[] = {7, 5, 9, 13};
  for (size_t i = 0; i < p.series.size(); ++i) {
    if (i) plot += ", \\\n     ";
    const size_t cycle = (i / 8) % 4;
    plot += data + " index " + std::to_string(i) +
            (bars ? " using 1:2:3:4 with yerrorlines" : " using 1:2 with linespoints") +
            " lw 2 dt " + std::to_string(cycle + 1) + " pt " + std::to_string(kPointTypes[cycle]) +
            " ps 0.8 lc " + std::to_string(i % 8 + 1) + " title " + quoted(p.series[i].title);
  }
  if (any_marked(p)) {
    for (size_t i = 0; i < p.series.size(); ++i) {
      plot += ", \\\n     " + data + " index " + std::to_string(i) +
              " using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb '#d62728' " +
              (i == 0 ? "title " + quoted(p.marked_title) : std::string("notitle"));
    }
  }
  if (p.horizontal) {
    plot += ", \\\n     " + num(*p.horizontal) + " with lines dt 2 lw 2 lc rgb '#555555' title " +
            quoted(p.horizontal_title);
  }
  s += plot + "\n";
  s += "set terminal " + png_terminal + " size 960,560 noenhanced" +
       (png_terminal == "pngcairo" ? " font 'Sans,11' background '#ffffff'\n" : "\n");
  s += "set output " + quoted(p.stem + ".png") + "\nreplot\nset output\n";
  return s;
}

void write_plot_files(const PlotSpec& p, const std::string& dir, const std::string& png_terminal) {
  write_file(dir + "/" + p.stem + ".dat", gnuplot_data(p));
  write_file(dir + "/" + p.stem + ".gp", gnuplot_script(p, png_terminal));
}

}  // namespace iomb::report
