// Implementation of report_document.h.
#include "harness/report/report_document.h"

#include <map>

#include "harness/report/context_summary.h"
#include "harness/report/text_format.h"

namespace iomb::report {
namespace {

std::string rate_text(double r) { return format_rate(r) + "/s"; }

std::optional<double> ratio(std::optional<double> value, std::optional<double> reference) {
  if (!value || !reference || *reference <= 0) return std::nullopt;
  return *value / *reference;
}

std::optional<double> rps(const Cell* c) {
  if (!c || !c->measured()) return std::nullopt;
  return c->requests_per_s->median;
}

std::optional<double> cpu(const Cell* c) { return c ? c->cpu_us_per_req : std::nullopt; }

std::string count_of(int n, const Cell& c) {
  return std::to_string(n) + "/" + std::to_string(c.repetitions + c.failed);
}

// "saturated 1/3; client-bound 3/3; errors 12; failed 1/3: reason"; "" when clean.
std::string flags_text(const Cell& c) {
  std::string s;
  auto add = [&s](const std::string& part) { s += (s.empty() ? "" : "; ") + part; };
  if (c.skipped) add("skipped: " + (c.skip_reason.empty() ? "no reason given" : c.skip_reason));
  if (c.saturated) add("saturated " + count_of(c.saturated, c));
  if (c.client_bound) add("client-bound " + count_of(c.client_bound, c));
  if (c.starved) add("starved " + count_of(c.starved, c));
  if (c.errors > 0) add("errors " + format_number(c.errors));
  if (c.failed) {
    std::string why;
    for (const auto& m : c.failure_messages) why += (why.empty() ? "" : ", ") + m;
    add("failed " + count_of(c.failed, c) + ": " + why);
  }
  if (c.from_aggregate) add("from aggregate (no per-repetition entries)");
  return s;
}

TableCell throughput_cell(const Cell* c, const Cell* ref, bool show_ratio) {
  if (!c) return {kMissing};
  if (c->skipped) return {"skipped", true};
  if (!c->measured()) return {"failed", true};
  const Spread& r = *c->requests_per_s;
  std::string text = format_rate(r.median);
  if (!c->from_aggregate) text += " (" + format_rate(r.min) + "–" + format_rate(r.max) + ")";
  if (auto x = ratio(rps(c), rps(ref)); x && show_ratio) text += " " + format_ratio(*x);
  if (c->saturated) text += " [saturated]";
  if (c->client_bound) text += " [client-bound]";
  if (c->starved) text += " [starved]";
  return {text, c->saturated > 0 || c->client_bound > 0 || c->starved > 0};
}

Table throughput_matrix(const CellGroup& g, const std::string& reference) {
  Table t;
  t.caption = "Requests/s: median (min–max over repetitions)" +
              (reference.empty() ? std::string() : ", × " + reference);
  t.header.push_back("Model");
  for (int64_t c : g.connection_steps) t.header.push_back(std::to_string(c) + " conns");
  for (const std::string& model : g.models) {
    std::vector<TableCell> row{{model}};
    std::string reason;
    bool skipped = g.model_skipped(model, &reason);
    for (int64_t conns : g.connection_steps) {
      if (skipped) {
        row.push_back({"skipped", true});
        continue;
      }
      row.push_back(
          throughput_cell(g.find(model, conns), g.find(reference, conns), !reference.empty()));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

// The columns both detail tables share, after the first ones.
void add_cost_columns(std::vector<TableCell>& row, const Cell& c, const Cell* ref) {
  row.push_back({or_missing(c.p50_us, format_latency_us)});
  row.push_back({or_missing(c.p99_us, format_latency_us)});
  row.push_back({or_missing(c.p999_us, format_latency_us)});
  row.push_back({or_missing(c.cpu_us_per_req, format_latency_us)});
  row.push_back({or_missing(c.floor_ratio(), format_ratio)});
  row.push_back({or_missing(ratio(cpu(&c), cpu(ref)), format_ratio)});
  row.push_back({or_missing(c.rss_kib, format_mib)});
  row.push_back({or_missing(c.server_threads, format_number)});
}

const std::vector<std::string> kCostHeader = {"p50 µs",      "p99 µs",    "p99.9 µs", "CPU µs/req",
                                              "CPU × floor", "CPU × ref", "RSS",      "threads"};

std::vector<TableCell> unmeasured_row(std::vector<TableCell> row, const Cell& c, size_t width) {
  row.push_back({c.skipped ? "skipped" : "failed", true});
  while (row.size() + 1 < width) row.push_back({kMissing});
  row.push_back({flags_text(c), true});
  return row;
}

Table closed_loop_detail(const CellGroup& g, const std::string& reference) {
  Table t;
  t.caption = "Per model and connection count (medians over repetitions)";
  t.notes_column = true;
  t.header = {"Model", "Conns", "Req/s", "min–max", "× ref"};
  t.header.insert(t.header.end(), kCostHeader.begin(), kCostHeader.end());
  t.header.insert(t.header.end(), {"reps", "flags"});
  for (const std::string& model : g.models) {
    for (const Cell* c : g.cells) {
      if (c->key.model_mode() != model) continue;
      std::vector<TableCell> row{{model}, {std::to_string(c->key.connections)}};
      if (!c->measured()) {
        t.rows.push_back(unmeasured_row(std::move(row), *c, t.header.size()));
        continue;
      }
      const Cell* ref = g.find(reference, c->key.connections);
      const Spread& r = *c->requests_per_s;
      row.push_back({format_rate(r.median)});
      row.push_back({format_rate(r.min) + "–" + format_rate(r.max)});
      row.push_back({or_missing(ratio(rps(c), rps(ref)), format_ratio)});
      add_cost_columns(row, *c, ref);
      row.push_back({std::to_string(c->repetitions)});
      std::string flags = flags_text(*c);
      row.push_back({flags, c->saturated || c->client_bound || c->starved || c->failed});
      t.rows.push_back(std::move(row));
    }
  }
  return t;
}

Table open_loop_detail(const CellGroup& g, const std::string& reference) {
  Table t;
  t.caption =
      "Open loop: latency from the intended send time (coordinated omission corrected); "
      "CPU per request compared at equal offered load";
  t.notes_column = true;
  t.header = {"Model", "Offered", "Achieved"};
  t.header.insert(t.header.end(), kCostHeader.begin(), kCostHeader.end());
  t.header.insert(t.header.begin() + 6, "uncorr. p99 µs");
  t.header.insert(t.header.end(), {"reps", "flags"});
  for (const std::string& model : g.models) {
    for (const Cell* c : g.cells) {
      if (c->key.model_mode() != model) continue;
      std::vector<TableCell> row{{model}, {rate_text(*c->key.rate)}};
      if (!c->measured()) {
        t.rows.push_back(unmeasured_row(std::move(row), *c, t.header.size()));
        continue;
      }
      const Cell* ref = g.find(reference, g.connections, c->key.rate);
      row.push_back(
          {rate_text(c->achieved_rate.value_or(c->requests_per_s->median)), c->saturated > 0});
      add_cost_columns(row, *c, ref);
      row.insert(row.begin() + 6, {or_missing(c->uncorrected_p99_us, format_latency_us)});
      row.push_back({std::to_string(c->repetitions)});
      row.push_back({flags_text(*c), c->saturated || c->client_bound || c->starved || c->failed});
      t.rows.push_back(std::move(row));
    }
  }
  return t;
}

Table skipped_table(const std::vector<Cell>& cells) {
  Table t;
  t.caption = "Models that did not run (never silently missing)";
  t.header = {"Model", "Reason", "Benchmarks"};
  t.notes_column = true;
  // model + reason → benchmark names
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> rows;
  for (const Cell& c : cells) {
    if (c.measured() || (!c.skipped && !c.failed)) continue;
    std::string reason =
        c.skipped ? "skipped: " + (c.skip_reason.empty() ? "no reason given" : c.skip_reason)
                  : flags_text(c);
    rows[{c.key.model_mode(), reason}].push_back(c.key.canonical_name());
  }
  for (auto& [id, names] : rows) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    t.rows.push_back({{id.first}, {id.second, true}, {list}});
  }
  return t;
}

}  // namespace

Document build_document(const DocumentInput& in) {
  Document d;
  d.title = in.title;
  const LoadedResults& results = *in.results;
  if (!results.contexts.empty()) d.context = describe_context(results.contexts.front());
  std::string files;
  for (const auto& f : results.files) files += (files.empty() ? "" : ", ") + f;
  d.context.emplace_back("Result files", files.empty() ? "none" : files);

  if (in.reference.empty()) {
    d.notes.push_back("Reference " + in.requested_reference +
                      " is not in these results: no ratios to a reference (--reference).");
  } else {
    d.notes.push_back("Reference for the × ref columns: " + in.reference + " (--reference).");
  }
  d.notes.push_back(
      "Requests/s is the median over repetitions with min–max; latencies and costs are medians. "
      "CPU µs/req is the server's CPU time per request; × floor divides it by this machine's "
      "kernel cost of one loopback recv+send (DESIGN §4.6), so 1.0× is the least any model "
      "can pay. [saturated]: an open-loop run achieved < 95 % of its offered rate; "
      "[client-bound]: the load generator used > 90 % of its cores, so the number is a lower "
      "bound on the server; [starved]: some connections got no reply in the whole measured "
      "window, so the latencies describe only the connections the server served.");
  if (!in.plot_note.empty()) d.notes.push_back(in.plot_note);
  d.warnings = results.warnings;

  for (const CellGroup& g : *in.groups) {
    Section s;
    s.id = g.id;
    s.title = g.title;
    if (g.open_loop) {
      s.tables.push_back(open_loop_detail(g, in.reference));
    } else {
      s.tables.push_back(throughput_matrix(g, in.reference));
      s.tables.push_back(closed_loop_detail(g, in.reference));
    }
    if (in.plots) {
      for (const PlotSpec& p : *in.plots) {
        if (p.group_id == g.id) s.plots.push_back({p.stem, p.title});
      }
    }
    d.sections.push_back(std::move(s));
  }
  d.skipped = skipped_table(*in.cells);
  return d;
}

}  // namespace iomb::report
