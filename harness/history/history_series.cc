// Implementation of history_series.h.
#include "harness/history/history_series.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <utility>

namespace iomb::history {

std::string commit_of(const nlohmann::json& context, const std::string& source) {
  for (const char* key : {"git_sha", "git"}) {
    auto it = context.find(key);
    if (it != context.end() && it->is_string()) {
      const std::string sha = it->get<std::string>();
      if (!sha.empty() && sha != "unknown") return sha;
    }
  }
  return std::filesystem::path(source).filename().string();
}

HistoryInput build_history(const std::vector<result::ResultDocument>& documents,
                           const std::vector<std::string>& sources) {
  HistoryInput input;
  // (benchmark, measure key) -> index in input.series
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (size_t r = 0; r < documents.size(); ++r) {
    input.results.push_back({sources[r], commit_of(documents[r].context, sources[r])});
    for (const result::BenchmarkMeasures& bench :
         result::benchmark_measures(documents[r], sources[r])) {
      for (const result::MeasureValues& values : bench.measures) {
        if (!values.measure->tracked) continue;
        auto [it, added] =
            index.try_emplace({bench.name, values.measure->key}, input.series.size());
        if (added) input.series.push_back({bench.name, values.measure, {}, {}});
        MetricSeries& series = input.series[it->second];
        series.results.push_back(r);
        series.medians.push_back(result::median_of(values.values));
      }
    }
  }
  // Group the series of a benchmark together, metrics in the table's order.
  std::map<std::string, size_t> first_seen;
  for (const MetricSeries& s : input.series) first_seen.try_emplace(s.benchmark, first_seen.size());
  std::stable_sort(input.series.begin(), input.series.end(),
                   [&](const MetricSeries& a, const MetricSeries& b) {
                     if (a.benchmark != b.benchmark) {
                       return first_seen[a.benchmark] < first_seen[b.benchmark];
                     }
                     return a.measure < b.measure;  // all_measures() is one vector: table order
                   });
  return input;
}

HistoryInput load_history(const std::vector<std::string>& paths) {
  std::vector<result::ResultDocument> documents;
  for (const std::string& path : paths) documents.push_back(result::read_result_file(path));
  return build_history(documents, paths);
}

}  // namespace iomb::history
