// Implementation of history_analysis.h.
#include "harness/history/history_analysis.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace iomb::history {
namespace {

double median_between(const std::vector<double>& values, size_t begin, size_t end) {
  return result::median_of(std::vector<double>(values.begin() + begin, values.begin() + end));
}

bool is_regression(const result::Measure& measure, double change) {
  if (!std::isfinite(change) || change == 0) return false;
  switch (measure.better) {
    case result::Better::kHigher:
      return change < 0;
    case result::Better::kLower:
      return change > 0;
    case result::Better::kNeither:
      return false;
  }
  return false;
}

nlohmann::json number_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

}  // namespace

HistoryReport analyse_history(const HistoryInput& input, const EDivisiveOptions& options) {
  HistoryReport report;
  report.options = options;
  report.results = input.results;
  for (const MetricSeries& series : input.series) {
    ++report.series_count;
    const size_t size = series.medians.size();
    if (size < 2 * options.min_segment) {
      ++report.series_too_short;
      continue;
    }
    const std::vector<ChangePoint> points = e_divisive(series.medians, options);
    for (size_t i = 0; i < points.size(); ++i) {
      const size_t begin = i == 0 ? 0 : points[i - 1].index;
      const size_t end = i + 1 == points.size() ? size : points[i + 1].index;
      ChangeReport change;
      change.benchmark = series.benchmark;
      change.measure = series.measure;
      change.result_index = series.results[points[i].index];
      change.commit = input.results[change.result_index].commit;
      change.before = median_between(series.medians, begin, points[i].index);
      change.after = median_between(series.medians, points[i].index, end);
      change.change = change.before != 0 ? (change.after - change.before) / std::abs(change.before)
                                         : std::numeric_limits<double>::quiet_NaN();
      change.regression = is_regression(*series.measure, change.change);
      change.p_value = points[i].p_value;
      change.latest = i + 1 == points.size();
      report.changes.push_back(change);
    }
  }
  return report;
}

bool latest_change_is_regression(const HistoryReport& report) {
  return std::any_of(report.changes.begin(), report.changes.end(),
                     [](const ChangeReport& c) { return c.latest && c.regression; });
}

nlohmann::json history_json(const HistoryReport& report) {
  nlohmann::json results = nlohmann::json::array();
  for (size_t i = 0; i < report.results.size(); ++i) {
    results.push_back(
        {{"index", i}, {"source", report.results[i].source}, {"commit", report.results[i].commit}});
  }
  nlohmann::json changes = nlohmann::json::array();
  for (const ChangeReport& c : report.changes) {
    changes.push_back({{"benchmark", c.benchmark},
                       {"metric", c.measure->label},
                       {"measure", c.measure->key},
                       {"unit", c.measure->unit},
                       {"index", c.result_index},
                       {"commit", c.commit},
                       {"source", report.results[c.result_index].source},
                       {"before", c.before},
                       {"after", c.after},
                       {"change", number_or_null(c.change)},
                       {"regression", c.regression},
                       {"p_value", c.p_value},
                       {"latest", c.latest}});
  }
  return {{"method", "e-divisive means (alpha = 1), permutation test"},
          {"options",
           {{"max_p_value", report.options.max_p_value},
            {"permutations", report.options.permutations},
            {"min_segment", report.options.min_segment},
            {"seed", report.options.seed}}},
          {"results", results},
          {"series", report.series_count},
          {"series_too_short", report.series_too_short},
          {"change_points", changes},
          {"latest_change_is_regression", latest_change_is_regression(report)}};
}

}  // namespace iomb::history
