// Implementation of cluster_summary.h.
#include "harness/cluster/cluster_summary.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "harness/report/gnuplot_runner.h"

namespace iomb::cluster {
namespace {

using nlohmann::json;

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

double num(const json& e, const char* key) {
  auto it = e.find(key);
  return it != e.end() && it->is_number() ? it->get<double>() : 0.0;
}

const json& cluster_of(const json& e) {
  static const json kEmpty = json::object();
  auto it = e.find("iomb");
  if (it == e.end() || !it->contains("cluster")) return kEmpty;
  return (*it)["cluster"];
}

std::string mib(const json& v) {
  return v.is_number() ? fixed(v.get<double>() / 1024.0, 1) : "dead";
}

std::string rss_text(const json& rss) {
  std::string nodes, rest;
  for (auto it = rss.begin(); it != rss.end(); ++it) {
    if (it.key().rfind("node", 0) == 0) {
      nodes += (nodes.empty() ? "" : "/") + mib(it.value());
    } else {
      rest += " " + it.key() + " " + mib(it.value());
    }
  }
  return nodes + rest;
}

}  // namespace

std::string cluster_summary_markdown(const std::vector<json>& entries) {
  // Repetitions of one run (same name) make one row: the median, with min-max when they differ.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const json*>> groups;
  for (const json& e : entries) {
    const std::string name = e.value("name", "?");
    if (!groups.count(name)) order.push_back(name);
    groups[name].push_back(&e);
  }
  std::ostringstream o;
  o << "| strategy | nodes | session B | fault | visits/s | errors | error window s | lost | stale "
       "| skipped | p50 ms | p99 ms | client B/req | store B/req | cluster CPU µs/req | balancer "
       "CPU µs/req | RSS MiB (nodes, haproxy, redis) | cookie replay; tampered cookie |\n"
    << "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const std::string& name : order) {
    std::vector<const json*> ok;
    std::string failure;
    for (const json* e : groups[name]) {
      if (e->value("error_occurred", false) || cluster_of(*e).empty()) {
        failure = e->value("error_message", "");
      } else {
        ok.push_back(e);
      }
    }
    if (ok.empty()) {
      o << "| " << name << " | | | | failed: " << failure << " | | | | | | | | | | | | | |\n";
      continue;
    }
    auto col = [&ok](auto value, int digits) {
      std::vector<double> v;
      for (const json* e : ok) v.push_back(value(*e));
      std::sort(v.begin(), v.end());
      const double median =
          v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
      std::string text = fixed(median, digits);
      if (v.size() > 1 && fixed(v.front(), digits) != fixed(v.back(), digits)) {
        text += " (" + fixed(v.front(), digits) + "–" + fixed(v.back(), digits) + ")";
      }
      return text;
    };
    auto field = [](const char* key, double scale = 1) {
      return [key, scale](const json& e) { return num(e, key) * scale; };
    };
    const json& c = cluster_of(*ok.front());
    std::string replays;
    for (const json* e : ok) {
      const json& r = cluster_of(*e)["replay"];
      std::string v = r.value("verdict", "");
      if (!r.value("tampered", "").empty()) v += "; tampered: " + r.value("tampered", "");
      if (replays.find(v) == std::string::npos) replays += (replays.empty() ? "" : ", ") + v;
    }
    o << "| " << c.value("strategy", "") << " | " << c.value("nodes", 0) << " | "
      << c.value("session_bytes", 0) << " | " << c["fault"].value("plan", "none") << " | "
      << col(field("items_per_second"), 0) << " | " << col(field("errors"), 0) << " | "
      << col(field("error_window_s"), 1) << " | " << col(field("sessions_lost"), 0) << " | "
      << col(field("sessions_stale"), 0) << " | " << col(field("sessions_skipped"), 0) << " | "
      << col(field("p50_us", 1e-3), 2) << " | " << col(field("p99_us", 1e-3), 2) << " | "
      << col(field("client_bytes_per_request"), 0) << " | "
      << col([](const json& e) {
           return num(e, "replication_bytes_per_request") + num(e, "redis_bytes_per_request");
         }, 0)
      << " | " << col(field("cluster_cpu_us_per_request"), 1) << " | "
      << col(field("balancer_cpu_us_per_request"), 1) << " | " << rss_text(c["rss_kib"]) << " | "
      << replays << " |\n";
  }
  if (std::any_of(entries.begin(), entries.end(),
                  [](const json& e) { return e.value("repetitions", 1) > 1; })) {
    o << "\nMedians over the repetitions, (min–max) where they differ; RSS of the first.\n";
  }
  return o.str();
}

std::vector<std::string> write_cluster_plots(const std::string& dir,
                                             const std::vector<json>& entries,
                                             std::string* problem) {
  problem->clear();
  std::vector<const json*> ok;
  for (const json& e : entries) {
    if (!e.value("error_occurred", false) && !cluster_of(e).empty() &&
        e.value("repetition_index", 0) == 0) {
      ok.push_back(&e);  // the first repetition of each run
    }
  }
  if (ok.empty()) {
    *problem = "no successful run to plot";
    return {};
  }
  std::vector<std::string> scripts, svgs;
  // 1. The timeline of the first cluster size and session size: one line per strategy.
  const json& first = cluster_of(*ok.front());
  const int nodes0 = first.value("nodes", 0);
  const uint64_t bytes0 = first.value("session_bytes", uint64_t{0});
  std::ostringstream rate_plot, error_plot;
  std::string fault_lines;
  for (const json* e : ok) {
    const json& c = cluster_of(*e);
    if (c.value("nodes", 0) != nodes0 || c.value("session_bytes", uint64_t{0}) != bytes0) continue;
    const std::string strategy = c.value("strategy", "");
    const std::string data = "timeline-" + strategy + ".tsv";
    std::ofstream t(dir + "/" + data);
    t << "# t_s\trate\terrors\tp99_ms\n";
    for (const json& p : c["series"]) {
      t << p.value("t_s", 0.0) << "\t" << p.value("rate", 0.0) << "\t" << p.value("errors", 0)
        << "\t" << p.value("p99_us", 0.0) / 1000 << "\n";
    }
    const char* sep = rate_plot.tellp() > 0 ? ", " : "";
    rate_plot << sep << "'" << data << "' using 1:2 with linespoints title '" << strategy << "'";
    error_plot << sep << "'" << data << "' using 1:3 with linespoints title '" << strategy << "'";
    if (fault_lines.empty()) {
      for (const json& ev : c["fault"]["events"]) {
        fault_lines += "set arrow from " + fixed(ev.value("at_s", 0.0), 2) +
                       ", graph 0 to " + fixed(ev.value("at_s", 0.0), 2) +
                       ", graph 1 nohead dashtype 2\n";
      }
    }
  }
  {
    std::ofstream gp(dir + "/timeline.gp");
    gp << "set terminal svg size 900,700 dynamic\nset output 'timeline.svg'\n"
       << "set multiplot layout 2,1 title 'Around the fault (" << first["fault"].value("plan", "")
       << "), " << nodes0 << " nodes, " << bytes0 << " B sessions'\n"
       << "set key outside right\nset grid\n" << fault_lines
       << "set ylabel 'visits/s answered'\nplot " << rate_plot.str() << "\n"
       << "set xlabel 'seconds into the measured window'\nset ylabel 'errors per second'\n"
       << "plot " << error_plot.str() << "\nunset multiplot\n";
    scripts.push_back("timeline.gp");
    svgs.push_back("timeline.svg");
  }
  // 2. Client bytes per request vs session size, and 3. replication bytes vs nodes, when swept.
  std::map<std::string, std::map<double, double>> by_size, by_nodes;
  for (const json* e : ok) {
    const json& c = cluster_of(*e);
    const std::string s = c.value("strategy", "");
    if (c.value("nodes", 0) == nodes0) {
      by_size[s][c.value("session_bytes", 0.0)] = num(*e, "client_bytes_per_request");
    }
    if (c.value("session_bytes", uint64_t{0}) == bytes0 && s.rfind("replicated", 0) == 0) {
      by_nodes[s][c.value("nodes", 0.0)] = num(*e, "replication_bytes_per_request");
    }
  }
  auto xy_plot = [&](const std::string& stem, const std::string& xlabel, const std::string& ylabel,
                     const std::map<std::string, std::map<double, double>>& lines, bool logx) {
    std::ostringstream plot;
    for (const auto& [label, points] : lines) {
      const std::string data = stem + "-" + label + ".tsv";
      std::ofstream t(dir + "/" + data);
      for (const auto& [x, y] : points) t << x << "\t" << y << "\n";
      plot << (plot.tellp() > 0 ? ", " : "") << "'" << data
           << "' using 1:2 with linespoints title '" << label << "'";
    }
    std::ofstream gp(dir + "/" + stem + ".gp");
    gp << "set terminal svg size 800,450 dynamic\nset output '" << stem << ".svg'\n"
       << "set key outside right\nset grid\n" << (logx ? "set logscale x 2\n" : "")
       << "set xlabel '" << xlabel << "'\nset ylabel '" << ylabel << "'\nplot " << plot.str()
       << "\n";
    scripts.push_back(stem + ".gp");
    svgs.push_back(stem + ".svg");
  };
  if (!by_size.empty() && by_size.begin()->second.size() > 1) {
    xy_plot("bytes-vs-session-size", "session payload (bytes)", "client bytes per request",
            by_size, true);
  }
  if (!by_nodes.empty() && by_nodes.begin()->second.size() > 1) {
    xy_plot("replication-vs-nodes", "nodes", "replication bytes per request", by_nodes, false);
  }
  std::string why;
  auto gnuplot = report::find_gnuplot("", &why);
  if (!gnuplot) {
    *problem = "no plots drawn: " + why + " (the .gp scripts and data are in " + dir + ")";
    return {};
  }
  if (std::string err = report::run_gnuplot(*gnuplot, dir, scripts, std::chrono::seconds(60));
      !err.empty()) {
    *problem = err;
    return {};
  }
  return svgs;
}

}  // namespace iomb::cluster
