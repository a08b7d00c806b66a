// Implementation of baseline.h.
#include "harness/compare/baseline.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "harness/compare/comparison.h"
#include "harness/result/benchmark_measures.h"

namespace iomb::compare {
namespace {

using result::median_of;

const std::vector<double>& samples_of(const BenchmarkSamples& b, const std::string& metric) {
  return metric == kSyscallsMetric ? b.syscalls_per_req : b.ctx_switches_per_req;
}

const char* field_of(const std::string& metric) {
  return metric == kSyscallsMetric ? "syscalls_per_req" : "ctx_switches_per_req";
}

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2g%%", fraction * 100);
  return text;
}

// The spread of one count of one benchmark over the runs; not gated, with the reason, when a
// run lacks it.
CountSpread measure(const std::string& name, const std::string& metric,
                    const std::vector<const BenchmarkSamples*>& per_run, double tolerance,
                    double max_spread) {
  CountSpread c{name, metric, 0, 0, false, ""};
  std::vector<double> medians, all;
  for (const BenchmarkSamples* b : per_run) {
    const std::vector<double>& s = samples_of(*b, metric);
    if (s.empty()) {
      c.why_not = "missing from a run";
      return c;
    }
    medians.push_back(median_of(s));
    all.insert(all.end(), s.begin(), s.end());
  }
  c.median = median_of(all);
  const auto [lo, hi] = std::minmax_element(medians.begin(), medians.end());
  c.spread = *lo > 0 ? (*hi - *lo) / *lo : (*hi > 0 ? INFINITY : 0);
  if (c.median <= 0) {
    c.why_not = "zero in every run";
  } else if (c.spread > max_spread) {
    c.why_not = "A/A spread " + percent(c.spread) + " > " + percent(max_spread) + " (half of the " +
                percent(tolerance) + " tolerance)";
  } else {
    c.gated = true;
  }
  return c;
}

}  // namespace

Baseline make_baseline(const std::vector<ResultFile>& runs, const BaselineOptions& options) {
  if (runs.size() < 2) {
    throw std::invalid_argument("a baseline needs at least two runs (A/A) to measure the spread");
  }
  if (options.tolerance.empty()) throw std::invalid_argument("no count tolerance given");
  Baseline out;
  nlohmann::json rows = nlohmann::json::array();
  nlohmann::json excluded = nlohmann::json::object();
  nlohmann::json spreads = nlohmann::json::object();
  for (const BenchmarkSamples& first : runs[0].benchmarks) {
    std::vector<const BenchmarkSamples*> per_run;
    for (const ResultFile& run : runs) {
      auto it = std::find_if(run.benchmarks.begin(), run.benchmarks.end(),
                             [&](const BenchmarkSamples& b) { return b.name == first.name; });
      if (it != run.benchmarks.end()) per_run.push_back(&*it);
    }
    if (per_run.size() != runs.size()) {
      excluded[first.name] = "missing from a run";
      continue;
    }
    nlohmann::json row = {{"name", first.name},
                          {"run_name", first.name},
                          {"run_type", "iteration"},
                          {"repetitions", runs.size()}};
    bool any = false;
    for (const auto& [metric, tolerance] : options.tolerance) {
      CountSpread c = measure(first.name, metric, per_run, tolerance,
                              tolerance * options.max_spread_of_tolerance);
      spreads[first.name][metric] = c.spread;
      if (c.gated) {
        row[field_of(metric)] = c.median;
        any = true;
      } else {
        excluded[first.name][metric] = c.why_not;
      }
      out.counts.push_back(std::move(c));
    }
    if (any) rows.push_back(std::move(row));
  }
  nlohmann::json sources = nlohmann::json::array();
  for (const ResultFile& run : runs) sources.push_back(run.source);
  nlohmann::json tolerance = nlohmann::json::object();
  for (const auto& [metric, value] : options.tolerance) tolerance[metric] = value;
  out.document = {{"context",
                   {{"gate",
                     {{"what",
                       "counts per request of the cells whose A/A spread is small; `iomb compare "
                       "--counts-only BASELINE NEW` judges them (exit 1 regressed, 3 unjudged)"},
                      {"tolerance", tolerance},
                      {"max_spread_of_tolerance", options.max_spread_of_tolerance},
                      {"a_a_runs", sources},
                      {"a_a_spread", spreads},
                      {"not_gated", excluded}}}}},
                  {"benchmarks", rows}};
  return out;
}

}  // namespace iomb::compare
