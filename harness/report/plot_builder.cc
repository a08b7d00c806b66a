// Implementation of plot_builder.h.
#include "harness/report/plot_builder.h"

#include <functional>

#include "harness/report/cell_stats.h"

namespace iomb::report {
namespace {

using Metric = std::function<std::optional<double>(const Cell&)>;

constexpr const char* kFlagged = "saturated, client-bound or starved";

bool flagged(const Cell& c) { return c.saturated > 0 || c.client_bound > 0 || c.starved > 0; }

std::optional<double> group_floor_us(const CellGroup& g) {
  std::vector<double> floors;
  for (const Cell* c : g.cells) {
    if (c->floor_us) floors.push_back(*c->floor_us);
  }
  if (floors.empty()) return std::nullopt;
  return median(floors);
}

// One series per model: x = connections (closed loop) or offered rate (open loop).
PlotSpec by_step(const CellGroup& g, const std::string& what, const Metric& metric) {
  PlotSpec p;
  p.group_id = g.id;
  p.stem = what + "_" + g.id;
  p.log_x = true;
  for (const std::string& model : g.models) {
    PlotSeries s{model, {}};
    for (const Cell* c : g.cells) {
      if (c->key.model_mode() != model || !c->measured()) continue;
      auto y = metric(*c);
      if (!y) continue;
      double x = g.open_loop ? *c->key.rate : static_cast<double>(c->key.connections);
      s.points.push_back({x, *y, std::nullopt, std::nullopt, flagged(*c)});
    }
    if (!s.points.empty()) p.series.push_back(std::move(s));
  }
  p.marked_title = g.open_loop ? "saturated (below 95 % of offered)" : kFlagged;
  return p;
}

void closed_loop_plots(const CellGroup& g, std::vector<PlotSpec>& out) {
  PlotSpec tput = by_step(g, "throughput", [](const Cell& c) -> std::optional<double> {
    return c.requests_per_s->median;
  });
  for (auto& s : tput.series) {
    for (auto& pt : s.points) {
      const Cell* c = g.find(s.title, static_cast<int64_t>(pt.x));
      pt.y_low = c->requests_per_s->min;
      pt.y_high = c->requests_per_s->max;
    }
  }
  tput.title = "Throughput vs connections — " + g.short_title + " (median, bars min–max)";
  tput.x_label = "connections";
  tput.y_label = "requests/s";
  tput.y_format = "%.0s%c";  // 250k
  out.push_back(std::move(tput));

  PlotSpec cpu = by_step(g, "cpu", [](const Cell& c) { return c.cpu_us_per_req; });
  cpu.title = "Server CPU per request — " + g.short_title;
  cpu.x_label = "connections";
  cpu.y_label = "server CPU µs / request";
  cpu.horizontal = group_floor_us(g);
  cpu.horizontal_title = "floor (kernel recv+send)";
  out.push_back(std::move(cpu));

  PlotSpec rss = by_step(g, "rss", [](const Cell& c) -> std::optional<double> {
    if (!c.rss_kib) return std::nullopt;
    return *c.rss_kib / 1024;
  });
  rss.title = "Server RSS vs connections — " + g.short_title;
  rss.x_label = "connections";
  rss.y_label = "peak RSS (MiB)";
  out.push_back(std::move(rss));

  for (int64_t conns : g.connection_steps) {
    PlotSpec p;
    p.group_id = g.id;
    p.stem = "spectrum_" + g.id + "_c" + std::to_string(conns);
    p.title = "Latency by percentile — " + g.short_title + ", " + std::to_string(conns) + " conns";
    p.x_label = "percentile";
    p.y_label = "latency (µs)";
    p.log_x = p.log_y = p.percentile_axis = true;
    for (const std::string& model : g.models) {
      const Cell* c = g.find(model, conns);
      if (!c || c->percentiles.empty()) continue;
      PlotSeries s{model, {}};
      for (const auto& [percent, us] : c->percentiles) {
        s.points.push_back({percentile_axis_x(percent), us});
      }
      p.series.push_back(std::move(s));
    }
    out.push_back(std::move(p));
  }
}

void open_loop_plots(const CellGroup& g, std::vector<PlotSpec>& out) {
  PlotSpec lat = by_step(g, "latency_vs_load", [](const Cell& c) { return c.p99_us; });
  lat.title = "p99 latency (from intended send) vs offered load — " + g.short_title;
  lat.x_label = "offered load (requests/s)";
  lat.y_label = "p99 latency (µs)";
  lat.log_x = false;
  lat.log_y = true;
  out.push_back(std::move(lat));

  PlotSpec cpu = by_step(g, "cpu_vs_load", [](const Cell& c) { return c.cpu_us_per_req; });
  cpu.title = "Server CPU per request vs offered load — " + g.short_title;
  cpu.x_label = "offered load (requests/s)";
  cpu.y_label = "server CPU µs / request";
  cpu.log_x = false;
  cpu.horizontal = group_floor_us(g);
  cpu.horizontal_title = "floor (kernel recv+send)";
  out.push_back(std::move(cpu));
}

}  // namespace

bool PlotSpec::empty() const {
  for (const auto& s : series) {
    if (!s.points.empty()) return false;
  }
  return true;
}

double percentile_axis_x(double percent) { return 100.0 / (100.0 - percent); }

std::vector<PlotSpec> build_plots(const std::vector<CellGroup>& groups) {
  std::vector<PlotSpec> all;
  for (const CellGroup& g : groups) {
    if (g.open_loop) {
      open_loop_plots(g, all);
    } else {
      closed_loop_plots(g, all);
    }
  }
  std::vector<PlotSpec> out;
  for (auto& p : all) {
    if (!p.empty()) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace iomb::report
