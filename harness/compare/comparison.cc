// Implementation of comparison.h.
#include "harness/compare/comparison.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <stdexcept>

#include "harness/compare/mann_whitney.h"
#include "harness/result/benchmark_measures.h"

namespace iomb::compare {
namespace {

double median(std::vector<double> values) { return result::median_of(std::move(values)); }

}  // namespace

double parse_fraction(std::string_view text) {
  std::string_view number = text;
  bool percent = false;
  if (!number.empty() && number.back() == '%') {
    percent = true;
    number.remove_suffix(1);
  }
  double value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc() || ptr != number.data() + number.size() ||
      !std::isfinite(value)) {
    throw std::invalid_argument("'" + std::string(text) + "' is not a fraction or a percentage");
  }
  if (percent || value >= 1) value /= 100;
  if (value <= 0 || value >= 1) {
    throw std::invalid_argument("'" + std::string(text) + "' is outside (0, 100%)");
  }
  return value;
}

std::pair<std::string, double> parse_count_tolerance(std::string_view text) {
  const size_t eq = text.rfind('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw std::invalid_argument("'" + std::string(text) + "' is not METRIC=FRACTION");
  }
  std::string metric(text.substr(0, eq));
  if (metric != kSyscallsMetric && metric != kCtxSwitchesMetric) {
    throw std::invalid_argument("unknown count '" + metric + "' (known: " + kSyscallsMetric + ", " +
                                kCtxSwitchesMetric + ")");
  }
  return {metric, parse_fraction(text.substr(eq + 1))};
}

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kNoChange:
      return "no change";
    case Verdict::kImproved:
      return "improved";
    case Verdict::kRegressed:
      return "regressed";
    case Verdict::kInsufficientData:
      return "insufficient data";
  }
  return "?";
}

MetricComparison compare_metric(const std::string& metric, bool higher_is_better,
                                const std::vector<double>& base, const std::vector<double>& next,
                                const CompareOptions& options) {
  MetricComparison m;
  m.metric = metric;
  m.higher_is_better = higher_is_better;
  m.base_n = base.size();
  m.new_n = next.size();
  m.base_median = median(base);
  m.new_median = median(next);
  m.change = m.base_median != 0 ? (m.new_median - m.base_median) / std::abs(m.base_median)
                                : std::numeric_limits<double>::quiet_NaN();
  m.p_value = mann_whitney_u(base, next).p_value;
  if (min_attainable_p(base.size(), next.size()) >= options.alpha) {
    m.verdict = Verdict::kInsufficientData;
  } else if (m.p_value < options.alpha && std::abs(m.change) >= options.threshold) {
    const bool better = higher_is_better ? m.change > 0 : m.change < 0;
    m.verdict = better ? Verdict::kImproved : Verdict::kRegressed;
  } else {
    m.verdict = Verdict::kNoChange;  // also a base median of 0: NaN change never passes
  }
  return m;
}

MetricComparison compare_count(const std::string& metric, const std::vector<double>& base,
                               const std::vector<double>& next, double tolerance) {
  MetricComparison m;
  m.metric = metric;
  m.base_n = base.size();
  m.new_n = next.size();
  m.tolerance = tolerance;
  m.p_value = std::numeric_limits<double>::quiet_NaN();
  if (base.empty() || next.empty()) {
    m.base_median = base.empty() ? std::numeric_limits<double>::quiet_NaN() : median(base);
    m.new_median = next.empty() ? std::numeric_limits<double>::quiet_NaN() : median(next);
    m.change = std::numeric_limits<double>::quiet_NaN();
    m.verdict = Verdict::kInsufficientData;
    m.note = std::string(base.empty() ? "BASE" : "NEW") + " has no " + metric + " for it";
    return m;
  }
  m.base_median = median(base);
  m.new_median = median(next);
  if (m.base_median == 0) {
    // Nothing to scale a tolerance by: any count where there was none is a regression.
    m.change = m.new_median == 0 ? 0 : std::numeric_limits<double>::infinity();
  } else {
    m.change = (m.new_median - m.base_median) / m.base_median;
  }
  if (m.change > tolerance)
    m.verdict = Verdict::kRegressed;
  else if (m.change < -tolerance)
    m.verdict = Verdict::kImproved;
  else
    m.verdict = Verdict::kNoChange;
  return m;
}

std::string judged_by(const MetricComparison& metric) {
  if (metric.tolerance <= 0) return "U test";
  char text[48];
  std::snprintf(text, sizeof text, "tolerance %g%%", metric.tolerance * 100);
  return text;
}

Comparison compare_results(const ResultFile& base, const ResultFile& next,
                           const CompareOptions& options) {
  Comparison out;
  out.options = options;
  out.base_source = base.source;
  out.new_source = next.source;
  std::map<std::string, const BenchmarkSamples*> base_by_name;
  for (const auto& b : base.benchmarks) base_by_name[b.name] = &b;
  std::map<std::string, bool> matched;
  for (const auto& n : next.benchmarks) {
    auto it = base_by_name.find(n.name);
    if (it == base_by_name.end()) {
      out.only_in_new.push_back(n.name);
      continue;
    }
    matched[n.name] = true;
    const BenchmarkSamples& b = *it->second;
    BenchmarkComparison row;
    row.name = n.name;
    if (!options.counts_only) {
      if (!b.throughput.empty() && !n.throughput.empty()) {
        row.metrics.push_back(
            compare_metric("throughput", true, b.throughput, n.throughput, options));
      }
      if (!b.p99_us.empty() && !n.p99_us.empty()) {
        row.metrics.push_back(compare_metric("p99", false, b.p99_us, n.p99_us, options));
      }
      if (!b.cpu_ns.empty() && !n.cpu_ns.empty()) {
        row.metrics.push_back(compare_metric("cpu/req", false, b.cpu_ns, n.cpu_ns, options));
      }
    }
    // A count BASE has is judged even when NEW lacks it: a gate must not pass because perf
    // stopped counting. One NEW has and BASE lacks is not gated (the baseline chose).
    auto count = [&](const char* metric, const std::vector<double>& base_samples,
                     const std::vector<double>& new_samples) {
      auto tolerance = options.count_tolerance.find(metric);
      if (base_samples.empty() || tolerance == options.count_tolerance.end()) return;
      row.metrics.push_back(compare_count(metric, base_samples, new_samples, tolerance->second));
    };
    count(kSyscallsMetric, b.syscalls_per_req, n.syscalls_per_req);
    count(kCtxSwitchesMetric, b.ctx_switches_per_req, n.ctx_switches_per_req);
    if (options.counts_only && row.metrics.empty()) continue;  // a cell the baseline does not gate
    auto any = [&row](Verdict v) {
      return std::any_of(row.metrics.begin(), row.metrics.end(),
                         [v](const MetricComparison& m) { return m.verdict == v; });
    };
    const bool all_insufficient =
        row.metrics.empty() ||
        std::all_of(row.metrics.begin(), row.metrics.end(), [](const MetricComparison& m) {
          return m.verdict == Verdict::kInsufficientData;
        });
    if (any(Verdict::kRegressed))
      row.verdict = Verdict::kRegressed;
    else if (any(Verdict::kImproved))
      row.verdict = Verdict::kImproved;
    else if (all_insufficient)
      row.verdict = Verdict::kInsufficientData;
    else
      row.verdict = Verdict::kNoChange;
    out.rows.push_back(std::move(row));
  }
  for (const auto& b : base.benchmarks) {
    if (!matched.count(b.name)) out.only_in_base.push_back(b.name);
  }
  return out;
}

bool has_significant_regression(const Comparison& comparison) {
  return std::any_of(
      comparison.rows.begin(), comparison.rows.end(),
      [](const BenchmarkComparison& row) { return row.verdict == Verdict::kRegressed; });
}

bool has_unjudged(const Comparison& comparison) {
  if (!comparison.only_in_base.empty()) return true;
  for (const auto& row : comparison.rows) {
    if (row.metrics.empty()) return true;
    for (const auto& m : row.metrics) {
      if (m.verdict == Verdict::kInsufficientData) return true;
    }
  }
  return false;
}

}  // namespace iomb::compare
