// Implementation of cell_stats.h.
#include "harness/report/cell_stats.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace iomb::report {
namespace {

using Field = std::optional<double> RunRecord::*;

// Metrics whose cell value is the median over repetitions, unchanged.
constexpr std::pair<Field, std::optional<double> Cell::*> kMedians[] = {
    {&RunRecord::p50_us, &Cell::p50_us},
    {&RunRecord::p90_us, &Cell::p90_us},
    {&RunRecord::p99_us, &Cell::p99_us},
    {&RunRecord::p999_us, &Cell::p999_us},
    {&RunRecord::p9999_us, &Cell::p9999_us},
    {&RunRecord::max_us, &Cell::max_us},
    {&RunRecord::uncorrected_p99_us, &Cell::uncorrected_p99_us},
    {&RunRecord::rss_kib, &Cell::rss_kib},
    {&RunRecord::server_threads, &Cell::server_threads},
    {&RunRecord::ctx_switches_per_req, &Cell::ctx_switches_per_req},
    {&RunRecord::syscalls_per_req, &Cell::syscalls_per_req},
    {&RunRecord::client_cpu_util, &Cell::client_cpu_util},
    {&RunRecord::offered_rate, &Cell::offered_rate},
    {&RunRecord::achieved_rate, &Cell::achieved_rate},
};

std::optional<double> median_of(const std::vector<const RunRecord*>& runs, Field field) {
  std::vector<double> values;
  for (const RunRecord* r : runs) {
    if ((r->*field).has_value()) values.push_back(*(r->*field));
  }
  if (values.empty()) return std::nullopt;
  return median(std::move(values));
}

const RunRecord* median_run(const std::vector<const RunRecord*>& runs, double median_rps) {
  const RunRecord* best = runs.front();
  double best_distance = INFINITY;
  for (const RunRecord* r : runs) {
    if (!r->requests_per_s) continue;
    double d = std::fabs(*r->requests_per_s - median_rps);
    if (d < best_distance) {
      best_distance = d;
      best = r;
    }
  }
  return best;
}

void reduce(const std::vector<const RunRecord*>& runs, Cell& cell) {
  std::vector<double> rps;
  for (const RunRecord* r : runs) {
    if (r->requests_per_s) rps.push_back(*r->requests_per_s);
    cell.saturated += r->saturated;
    cell.client_bound += r->client_bound;
    cell.starved += r->starved;
    if (r->errors) cell.errors += *r->errors;
  }
  if (!rps.empty()) {
    auto [lo, hi] = std::minmax_element(rps.begin(), rps.end());
    cell.requests_per_s = Spread{median(rps), *lo, *hi};
    cell.percentiles = median_run(runs, cell.requests_per_s->median)->percentiles;
  }
  for (const auto& [from, to] : kMedians) cell.*to = median_of(runs, from);
  if (auto ns = median_of(runs, &RunRecord::server_cpu_ns_per_req)) cell.cpu_us_per_req = *ns / 1e3;
  if (auto ns = median_of(runs, &RunRecord::floor_ns)) cell.floor_us = *ns / 1e3;
}

Cell make_cell(const std::vector<const RunRecord*>& records) {
  Cell cell;
  cell.key = records.front()->key;
  std::vector<const RunRecord*> iterations;
  const RunRecord* median_aggregate = nullptr;
  const RunRecord* mean_aggregate = nullptr;
  for (const RunRecord* r : records) {
    if (r->skipped) {
      if (cell.skip_reason.empty()) cell.skip_reason = r->skip_reason;
    } else if (r->failed) {
      ++cell.failed;
      const std::string& m = r->error_message.empty() ? "failed" : r->error_message;
      auto& list = cell.failure_messages;
      if (std::find(list.begin(), list.end(), m) == list.end()) list.push_back(m);
    } else if (!r->aggregate) {
      iterations.push_back(r);
    } else if (r->aggregate_name == "median") {
      median_aggregate = r;
    } else if (r->aggregate_name == "mean") {
      mean_aggregate = r;
    }
  }
  if (!iterations.empty()) {
    cell.repetitions = static_cast<int>(iterations.size());
    reduce(iterations, cell);
  } else if (median_aggregate || mean_aggregate) {
    cell.from_aggregate = true;
    reduce({median_aggregate ? median_aggregate : mean_aggregate}, cell);
  }
  cell.skipped =
      !cell.measured() && cell.failed == 0 &&
      std::any_of(records.begin(), records.end(), [](const RunRecord* r) { return r->skipped; });
  return cell;
}

auto sort_key(const result::BenchmarkName& k) {
  return std::make_tuple(k.protocol, k.size, k.depth, k.rate.has_value(), k.rate.value_or(0),
                         k.model_mode(), k.connections);
}

}  // namespace

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::optional<double> Cell::floor_ratio() const {
  if (!cpu_us_per_req || !floor_us || *floor_us <= 0) return std::nullopt;
  return *cpu_us_per_req / *floor_us;
}

std::vector<Cell> build_cells(const std::vector<RunRecord>& records) {
  // By the parsed key, so "s:4096" and "s:4KiB" are one cell; the map order is the cell order.
  std::map<decltype(sort_key(result::BenchmarkName{})), std::vector<const RunRecord*>> by_key;
  for (const RunRecord& r : records) by_key[sort_key(r.key)].push_back(&r);
  std::vector<Cell> cells;
  for (const auto& [key, list] : by_key) cells.push_back(make_cell(list));
  return cells;
}

}  // namespace iomb::report
