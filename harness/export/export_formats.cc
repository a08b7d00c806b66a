// Implementation of export_formats.h.
#include "harness/export/export_formats.h"

#include <algorithm>
#include <cstdio>

namespace iomb::exports {
namespace {

std::string number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return buf;
}

}  // namespace

nlohmann::json bencher_metric_format(const std::vector<result::BenchmarkMeasures>& benchmarks) {
  nlohmann::json out = nlohmann::json::object();
  for (const result::BenchmarkMeasures& bench : benchmarks) {
    nlohmann::json measures = nlohmann::json::object();
    for (const result::MeasureValues& m : bench.measures) {
      const auto [low, high] = std::minmax_element(m.values.begin(), m.values.end());
      measures[m.measure->key] = {
          {"value", result::median_of(m.values)}, {"lower_value", *low}, {"upper_value", *high}};
    }
    out[bench.name] = std::move(measures);
  }
  return out;
}

nlohmann::json github_action_benchmark_format(
    const std::vector<result::BenchmarkMeasures>& benchmarks, GabTool tool) {
  const result::Better wanted =
      tool == GabTool::kBiggerIsBetter ? result::Better::kHigher : result::Better::kLower;
  nlohmann::json out = nlohmann::json::array();
  for (const result::BenchmarkMeasures& bench : benchmarks) {
    for (const result::MeasureValues& m : bench.measures) {
      if (m.measure->better != wanted) continue;
      const double median = result::median_of(m.values);
      const auto [low, high] = std::minmax_element(m.values.begin(), m.values.end());
      nlohmann::json entry = {{"name", bench.name + " " + m.measure->key},
                              {"unit", m.measure->unit},
                              {"value", median}};
      if (m.values.size() >= 2) {
        entry["range"] = "± " + number(std::max(*high - median, median - *low));
      }
      entry["extra"] = (bench.from_aggregate
                            ? std::string("from the median aggregate")
                            : "median of " + std::to_string(m.values.size()) + " repetition(s)") +
                       ", min " + number(*low) + ", max " + number(*high);
      out.push_back(std::move(entry));
    }
  }
  return out;
}

}  // namespace iomb::exports
