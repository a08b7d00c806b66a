// Implementation of result_file.h.
#include "harness/compare/result_file.h"

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace iomb::compare {
namespace {

[[noreturn]] void fail(const std::string& source, const std::string& why) {
  throw std::runtime_error(source + ": " + why);
}

double ns_per_unit(const std::string& unit, const std::string& source) {
  if (unit == "ns") return 1;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  fail(source, "unknown time_unit '" + unit + "'");
}

double number(const nlohmann::json& row, const char* key, double fallback) {
  auto it = row.find(key);
  return it != row.end() && it->is_number() ? it->get<double>() : fallback;
}

void add_row(const nlohmann::json& row, const std::string& source, BenchmarkSamples* samples) {
  const double unit = ns_per_unit(row.value("time_unit", "ns"), source);
  const double real_ns = number(row, "real_time", 0) * unit;
  double throughput = number(row, "items_per_second", 0);
  if (throughput <= 0 && real_ns > 0) throughput = 1e9 / real_ns;
  if (throughput > 0) samples->throughput.push_back(throughput);
  if (row.contains("p99_us") && row["p99_us"].is_number()) {
    samples->p99_us.push_back(row["p99_us"].get<double>());
  }
  if (row.contains("cpu_time") && row["cpu_time"].is_number()) {
    samples->cpu_ns.push_back(row["cpu_time"].get<double>() * unit);
  }
}

}  // namespace

ResultFile parse_result_json(const nlohmann::json& json, const std::string& source) {
  if (!json.is_object() || !json.contains("benchmarks") || !json["benchmarks"].is_array()) {
    fail(source, "not a Google Benchmark result (no \"benchmarks\" array)");
  }
  ResultFile file;
  file.source = source;
  std::map<std::string, size_t> index;                     // name -> position in file.benchmarks
  std::map<std::string, const nlohmann::json*> aggregate;  // name -> median (or mean) row
  for (const auto& row : json["benchmarks"]) {
    if (!row.is_object() || !row.contains("name") || !row["name"].is_string()) {
      fail(source, "a benchmarks[] entry has no name");
    }
    if (row.value("error_occurred", false)) continue;
    const bool is_aggregate = row.value("run_type", "iteration") == "aggregate";
    const std::string kind = row.value("aggregate_name", "");
    std::string name = row.value("run_name", row["name"].get<std::string>());
    if (is_aggregate && !row.contains("run_name") && !kind.empty() &&
        name.size() > kind.size() + 1 && name.ends_with("_" + kind)) {
      name.resize(name.size() - kind.size() - 1);  // "X_median" -> "X" without a run_name
    }
    auto [it, added] = index.emplace(name, file.benchmarks.size());
    if (added) file.benchmarks.push_back(BenchmarkSamples{name, {}, {}, {}, false});
    if (is_aggregate) {
      if (kind == "median" || (kind == "mean" && aggregate.count(name) == 0)) {
        aggregate[name] = &row;
      }
      continue;
    }
    add_row(row, source, &file.benchmarks[it->second]);
  }
  // Files written with only aggregates (--benchmark_report_aggregates_only) give one sample.
  for (auto& samples : file.benchmarks) {
    if (samples.throughput.empty() && samples.cpu_ns.empty() && aggregate.count(samples.name)) {
      add_row(*aggregate[samples.name], source, &samples);
      samples.from_aggregate = true;
    }
  }
  std::erase_if(file.benchmarks, [](const BenchmarkSamples& s) {
    return s.throughput.empty() && s.cpu_ns.empty() && s.p99_us.empty();
  });
  return file;
}

ResultFile load_result_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) throw std::runtime_error(path + ": not valid JSON");
  return parse_result_json(json, path);
}

}  // namespace iomb::compare
