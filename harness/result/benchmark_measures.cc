// Implementation of benchmark_measures.h: one table of the measures, how each is read from an
// entry, and the grouping of a file's rows by benchmark.
#include "harness/result/benchmark_measures.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "harness/result/result_entry.h"

namespace iomb::result {
namespace {

enum class Source {
  kThroughput,  // items_per_second, else requests per wall second from real_time
  kCpuTime,     // cpu_time in ns per request (iomb: the server's CPU, or the client's for
                // `iomb load`; cpu_time_source says which)
  kCounter,     // a flat counter of the entry
};

struct MeasureRow {
  Measure measure;
  Source source;
  std::optional<double> ResultEntry::*counter;
};

using B = Better;
const MeasureRow kRows[] = {
    {{"throughput", "throughput", "req/s", B::kHigher, true}, Source::kThroughput, nullptr},
    {{"bytes_per_second", "bytes/s", "B/s", B::kHigher, false},
     Source::kCounter,
     &ResultEntry::bytes_per_second},
    {{"p50_us", "p50", "us", B::kLower, false}, Source::kCounter, &ResultEntry::p50_us},
    {{"p90_us", "p90", "us", B::kLower, false}, Source::kCounter, &ResultEntry::p90_us},
    {{"p99_us", "p99", "us", B::kLower, true}, Source::kCounter, &ResultEntry::p99_us},
    {{"p999_us", "p99.9", "us", B::kLower, false}, Source::kCounter, &ResultEntry::p999_us},
    {{"p9999_us", "p99.99", "us", B::kLower, false}, Source::kCounter, &ResultEntry::p9999_us},
    {{"max_us", "max", "us", B::kLower, false}, Source::kCounter, &ResultEntry::max_us},
    {{"uncorrected_p50_us", "uncorrected p50", "us", B::kLower, false},
     Source::kCounter,
     &ResultEntry::uncorrected_p50_us},
    {{"uncorrected_p90_us", "uncorrected p90", "us", B::kLower, false},
     Source::kCounter,
     &ResultEntry::uncorrected_p90_us},
    {{"uncorrected_p99_us", "uncorrected p99", "us", B::kLower, false},
     Source::kCounter,
     &ResultEntry::uncorrected_p99_us},
    {{"uncorrected_p999_us", "uncorrected p99.9", "us", B::kLower, false},
     Source::kCounter,
     &ResultEntry::uncorrected_p999_us},
    {{"uncorrected_p9999_us", "uncorrected p99.99", "us", B::kLower, false},
     Source::kCounter,
     &ResultEntry::uncorrected_p9999_us},
    {{"uncorrected_max_us", "uncorrected max", "us", B::kLower, false},
     Source::kCounter,
     &ResultEntry::uncorrected_max_us},
    {{"cpu_ns_per_req", "cpu/req", "ns/req", B::kLower, true}, Source::kCpuTime, nullptr},
    {{"client_cpu_ns_per_req", "client cpu/req", "ns/req", B::kLower, false},
     Source::kCounter,
     &ResultEntry::client_cpu_ns_per_req},
    {{"syscalls_per_req", "syscalls/req", "syscalls/req", B::kLower, true},
     Source::kCounter,
     &ResultEntry::syscalls_per_req},
    {{"ctx_switches_per_req", "ctx switches/req", "switches/req", B::kLower, true},
     Source::kCounter,
     &ResultEntry::ctx_switches_per_req},
    {{"cpu_floor_ratio", "cpu/floor", "x floor", B::kLower, false},
     Source::kCounter,
     &ResultEntry::cpu_floor_ratio},
    {{"errors", "errors", "errors", B::kLower, false}, Source::kCounter, &ResultEntry::errors},
    {{"non_2xx", "non-2xx", "responses", B::kLower, false},
     Source::kCounter,
     &ResultEntry::non_2xx},
    {{"sessions_lost", "sessions lost", "sessions", B::kLower, false},
     Source::kCounter,
     &ResultEntry::sessions_lost},
    {{"sessions_stale", "sessions stale", "sessions", B::kLower, false},
     Source::kCounter,
     &ResultEntry::sessions_stale},
    {{"sessions_skipped", "sessions skipped", "sessions", B::kLower, false},
     Source::kCounter,
     &ResultEntry::sessions_skipped},
    {{"server_rss_kib", "server RSS", "KiB", B::kLower, false},
     Source::kCounter,
     &ResultEntry::server_rss_kib},
    // Facts of the run rather than better or worse: exported to Bencher, not to the
    // smaller/bigger-is-better lists.
    {{"server_threads", "server threads", "threads", B::kNeither, false},
     Source::kCounter,
     &ResultEntry::server_threads},
    {{"client_cpu_util", "client cpu util", "fraction", B::kNeither, false},
     Source::kCounter,
     &ResultEntry::client_cpu_util},
    {{"offered_rate", "offered rate", "req/s", B::kNeither, false},
     Source::kCounter,
     &ResultEntry::offered_rate},
    {{"achieved_rate", "achieved rate", "req/s", B::kNeither, false},
     Source::kCounter,
     &ResultEntry::achieved_rate},
    {{"server_closes", "server closes", "closes", B::kNeither, false},
     Source::kCounter,
     &ResultEntry::server_closes},
    {{"requests_resent", "requests resent", "requests", B::kNeither, false},
     Source::kCounter,
     &ResultEntry::requests_resent},
    {{"sessions_created", "sessions created", "sessions", B::kNeither, false},
     Source::kCounter,
     &ResultEntry::sessions_created},
};
constexpr size_t kMeasureCount = std::size(kRows);

double ns_per_unit(const std::string& unit, const std::string& source) {
  if (unit == "ns") return 1;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  throw std::runtime_error(source + ": unknown time_unit '" + unit + "'");
}

std::optional<double> read_measure(const MeasureRow& row, const ResultEntry& e, double unit) {
  switch (row.source) {
    case Source::kThroughput: {
      if (e.items_per_second && *e.items_per_second > 0) return e.items_per_second;
      const double real_ns = e.real_time.value_or(0) * unit;
      if (real_ns > 0) return 1e9 / real_ns;
      return std::nullopt;
    }
    case Source::kCpuTime:
      if (e.cpu_time) return *e.cpu_time * unit;
      return std::nullopt;
    case Source::kCounter:
      return e.*row.counter;
  }
  return std::nullopt;
}

// Values per measure, indexed like kRows.
using Columns = std::vector<std::vector<double>>;

void add_row(const ResultEntry& e, const std::string& source, Columns* columns) {
  const double unit = ns_per_unit(e.time_unit.value_or("ns"), source);
  for (size_t i = 0; i < kMeasureCount; ++i) {
    const std::optional<double> value = read_measure(kRows[i], e, unit);
    if (value && std::isfinite(*value)) (*columns)[i].push_back(*value);
  }
}

bool usable(const ResultEntry& e) {
  return !e.error_occurred.value_or(false) && !e.skipped.value_or(false) && e.valid.value_or(true);
}

}  // namespace

const std::vector<Measure>& all_measures() {
  static const std::vector<Measure> measures = [] {
    std::vector<Measure> out;
    for (const MeasureRow& row : kRows) out.push_back(row.measure);
    return out;
  }();
  return measures;
}

const Measure* find_measure(const std::string& key) {
  for (const Measure& m : all_measures()) {
    if (key == m.key) return &m;
  }
  return nullptr;
}

const MeasureValues* BenchmarkMeasures::find(const std::string& key) const {
  for (const MeasureValues& m : measures) {
    if (key == m.measure->key) return &m;
  }
  return nullptr;
}

std::vector<BenchmarkMeasures> benchmark_measures(const ResultDocument& doc,
                                                  const std::string& source) {
  std::vector<std::string> order;                // benchmark names in the file's order
  std::map<std::string, Columns> iterations;     // name -> values of its iteration rows
  std::map<std::string, ResultEntry> aggregate;  // name -> its median (else mean) row
  for (const auto& json_row : doc.benchmarks) {
    const std::optional<ResultEntry> row = ResultEntry::from_json(json_row);
    if (!row || row->name.empty() || !usable(*row)) continue;
    const std::string kind = row->aggregate_name.value_or("");
    std::string name = row->run_name.value_or(row->name);
    if (row->aggregate() && !row->run_name && !kind.empty() && name.size() > kind.size() + 1 &&
        name.ends_with("_" + kind)) {
      name.resize(name.size() - kind.size() - 1);  // "X_median" -> "X" without a run_name
    }
    auto [it, added] = iterations.try_emplace(name, Columns(kMeasureCount));
    if (added) order.push_back(name);
    if (row->aggregate()) {
      if (kind == "median" || (kind == "mean" && !aggregate.count(name))) aggregate[name] = *row;
      continue;
    }
    add_row(*row, source, &it->second);
  }
  std::vector<BenchmarkMeasures> out;
  for (const std::string& name : order) {
    Columns& columns = iterations[name];
    BenchmarkMeasures bench{name, {}, false};
    const bool no_iterations = std::all_of(columns.begin(), columns.end(),
                                           [](const auto& values) { return values.empty(); });
    if (no_iterations && aggregate.count(name)) {
      add_row(aggregate[name], source, &columns);
      bench.from_aggregate = true;
    }
    for (size_t i = 0; i < kMeasureCount; ++i) {
      if (!columns[i].empty()) bench.measures.push_back({&all_measures()[i], columns[i]});
    }
    if (!bench.measures.empty()) out.push_back(std::move(bench));
  }
  return out;
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

}  // namespace iomb::result
