// Implementation of result_file.h.
#include "harness/compare/result_file.h"

#include <map>
#include <stdexcept>

#include "harness/result/result_entry.h"
#include "harness/result/result_file.h"

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

void add_row(const result::ResultEntry& row, const std::string& source, BenchmarkSamples* samples) {
  const double unit = ns_per_unit(row.time_unit.value_or("ns"), source);
  const double real_ns = row.real_time.value_or(0) * unit;
  double throughput = row.items_per_second.value_or(0);
  if (throughput <= 0 && real_ns > 0) throughput = 1e9 / real_ns;
  if (throughput > 0) samples->throughput.push_back(throughput);
  if (row.p99_us) samples->p99_us.push_back(*row.p99_us);
  if (row.cpu_time) samples->cpu_ns.push_back(*row.cpu_time * unit);
  if (row.syscalls_per_req) samples->syscalls_per_req.push_back(*row.syscalls_per_req);
  if (row.ctx_switches_per_req) samples->ctx_switches_per_req.push_back(*row.ctx_switches_per_req);
}

bool has_samples(const BenchmarkSamples& s) {
  return !s.throughput.empty() || !s.cpu_ns.empty() || !s.p99_us.empty() ||
         !s.syscalls_per_req.empty() || !s.ctx_switches_per_req.empty();
}

std::map<std::string, double> read_count_tolerance(const nlohmann::json& context,
                                                   const std::string& source) {
  std::map<std::string, double> out;
  if (!context.is_object() || !context.contains("gate")) return out;
  const nlohmann::json& tolerance = context["gate"].value("tolerance", nlohmann::json::object());
  if (!tolerance.is_object()) fail(source, "context.gate.tolerance is not an object");
  for (const auto& [metric, value] : tolerance.items()) {
    if (!value.is_number() || value.get<double>() <= 0 || value.get<double>() >= 1) {
      fail(source, "context.gate.tolerance." + metric + " is not a fraction in (0, 1)");
    }
    out[metric] = value.get<double>();
  }
  return out;
}

}  // namespace

ResultFile parse_result_json(const nlohmann::json& json, const std::string& source) {
  const result::ResultDocument doc = result::result_document(json, source);
  ResultFile file;
  file.source = source;
  file.count_tolerance = read_count_tolerance(doc.context, source);
  std::map<std::string, size_t> index;                   // name -> position in file.benchmarks
  std::map<std::string, result::ResultEntry> aggregate;  // name -> median (or mean) row
  for (const auto& json_row : doc.benchmarks) {
    if (!json_row.is_object() || !json_row.contains("name") || !json_row["name"].is_string()) {
      fail(source, "a benchmarks[] entry has no name");
    }
    const result::ResultEntry row = *result::ResultEntry::from_json(json_row);
    if (row.error_occurred.value_or(false)) continue;
    const bool is_aggregate = row.aggregate();
    const std::string kind = row.aggregate_name.value_or("");
    std::string name = row.run_name.value_or(row.name);
    if (is_aggregate && !row.run_name && !kind.empty() && name.size() > kind.size() + 1 &&
        name.ends_with("_" + kind)) {
      name.resize(name.size() - kind.size() - 1);  // "X_median" -> "X" without a run_name
    }
    auto [it, added] = index.emplace(name, file.benchmarks.size());
    if (added) file.benchmarks.push_back(BenchmarkSamples{name, {}, {}, {}, false});
    if (is_aggregate) {
      if (kind == "median" || (kind == "mean" && aggregate.count(name) == 0)) {
        aggregate[name] = row;
      }
      continue;
    }
    add_row(row, source, &file.benchmarks[it->second]);
  }
  // Files written with only aggregates (--benchmark_report_aggregates_only) give one sample.
  for (auto& samples : file.benchmarks) {
    if (!has_samples(samples) && aggregate.count(samples.name)) {
      add_row(aggregate[samples.name], source, &samples);
      samples.from_aggregate = true;
    }
  }
  std::erase_if(file.benchmarks, [](const BenchmarkSamples& s) { return !has_samples(s); });
  return file;
}

ResultFile load_result_file(const std::string& path) {
  const result::ResultDocument doc = result::read_result_file(path);
  return parse_result_json({{"context", doc.context}, {"benchmarks", doc.benchmarks}}, path);
}

}  // namespace iomb::compare
