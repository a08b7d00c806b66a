// Implementation of ab_comparison.h.
#include "harness/ab/ab_comparison.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>

#include "harness/ab/ab_plan.h"
#include "harness/ab/paired_test.h"
#include "harness/result/benchmark_measures.h"
#include "harness/result/result_entry.h"

namespace iomb::ab {
namespace {

using result::median_of;

bool all_equal(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [&v](double x) { return x == v.front(); });
}

// What one run of one side left: its entry when it measured, or that it failed or was skipped.
struct Run {
  std::optional<result::ResultEntry> entry;
  bool failed = false, skipped = false;
};

struct CellRuns {
  std::map<int, Run> base, candidate;  // by repetition_index
};

struct MetricSpec {
  const char* name;
  bool higher_is_better;
  std::optional<double> (*value)(const result::ResultEntry&);
};

double ns_per_unit(const std::string& unit) {
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return 1;
}

const MetricSpec kMetrics[] = {
    {"cpu/req", false,
     [](const result::ResultEntry& e) -> std::optional<double> {
       if (!e.cpu_time) return std::nullopt;
       return *e.cpu_time * ns_per_unit(e.time_unit.value_or("ns"));
     }},
    {"throughput", true, [](const result::ResultEntry& e) { return e.items_per_second; }},
    {"p99", false, [](const result::ResultEntry& e) { return e.p99_us; }},
    {"syscalls/req", false, [](const result::ResultEntry& e) { return e.syscalls_per_req; }},
    {"ctx-switches/req", false,
     [](const result::ResultEntry& e) { return e.ctx_switches_per_req; }},
};

// The metrics whose lack of pairs leaves a cell unjudged; the others (p99, the counts) judge
// when they can and are shown otherwise.
bool is_primary(const std::string& metric) { return metric == "cpu/req" || metric == "throughput"; }

Verdict cell_verdict(const CellAb& cell) {
  auto any = [&cell](Verdict v, bool primary_only) {
    return std::any_of(cell.metrics.begin(), cell.metrics.end(), [&](const PairedMetric& m) {
      return m.judged && m.verdict == v && (!primary_only || is_primary(m.metric));
    });
  };
  if (any(Verdict::kRegressed, false)) return Verdict::kRegressed;
  if (any(Verdict::kImproved, false)) return Verdict::kImproved;
  const bool has_primary = std::any_of(cell.metrics.begin(), cell.metrics.end(),
                                       [](const PairedMetric& m) { return is_primary(m.metric); });
  if (!has_primary || any(Verdict::kInsufficientData, true)) return Verdict::kInsufficientData;
  return Verdict::kNoChange;
}

// The connections of a benchmark name's "/c:N/" part; 0 when it has none.
int connections_of(const std::string& name) {
  const size_t at = name.find("/c:");
  return at == std::string::npos ? 0 : std::atoi(name.c_str() + at + 3);
}

// A run that served nothing (starved by a busy machine) or says it is not valid measured
// nothing: its pair is dropped rather than read as a ratio.
bool measured(const result::ResultEntry& e) {
  return e.valid.value_or(true) && e.items_per_second.value_or(1) > 0;
}

}  // namespace

PairedMetric compare_paired(const std::string& metric, bool higher_is_better,
                            const std::vector<double>& base, const std::vector<double>& candidate,
                            const AbOptions& options) {
  PairedMetric m;
  m.metric = metric;
  m.higher_is_better = higher_is_better;
  std::vector<double> base_used, candidate_used;
  for (size_t i = 0; i < std::min(base.size(), candidate.size()); ++i) {
    if (!(base[i] > 0) || !(candidate[i] > 0) || !std::isfinite(base[i]) ||
        !std::isfinite(candidate[i])) {
      continue;
    }
    base_used.push_back(base[i]);
    candidate_used.push_back(candidate[i]);
    m.ratios.push_back(candidate[i] / base[i]);
  }
  if (m.ratios.empty()) {
    m.verdict = Verdict::kInsufficientData;
    return m;
  }
  m.median_ratio = median_of(m.ratios);
  m.min_ratio = *std::min_element(m.ratios.begin(), m.ratios.end());
  m.max_ratio = *std::max_element(m.ratios.begin(), m.ratios.end());
  for (double r : m.ratios) {
    if (higher_is_better ? r < 1 : r > 1) ++m.worse;
  }
  const double change = m.median_ratio - 1;
  const bool worse = higher_is_better ? change < 0 : change > 0;
  const bool moved = std::abs(change) >= options.threshold;

  if (m.ratios.size() >= 2 && all_equal(base_used) && all_equal(candidate_used)) {
    m.counted_once = true;
    m.p_value = std::nan("");
    m.verdict = !moved ? Verdict::kNoChange : worse ? Verdict::kRegressed : Verdict::kImproved;
    return m;
  }
  std::vector<double> log_ratios;
  for (double r : m.ratios) log_ratios.push_back(std::log(r));
  const SignedRankResult test = wilcoxon_signed_rank(log_ratios);
  m.p_value = change >= 0 ? test.p_greater : test.p_less;
  // Too few pairs is judged on every pair measured: pairs whose sides are exactly equal are
  // dropped by the test, but they are evidence of no change, not a lack of data.
  if (min_attainable_one_sided_p(m.ratios.size()) >= options.alpha) {
    m.verdict = Verdict::kInsufficientData;
  } else if (m.p_value < options.alpha && moved) {
    m.verdict = worse ? Verdict::kRegressed : Verdict::kImproved;
  } else {
    m.verdict = Verdict::kNoChange;
  }
  return m;
}

AbComparison compare_ab(const std::vector<nlohmann::json>& entries, const AbOptions& options) {
  std::vector<std::string> order;
  std::map<std::string, CellRuns> cells;
  for (const nlohmann::json& json : entries) {
    const auto entry = result::ResultEntry::from_json(json);
    if (!entry || entry->aggregate()) continue;
    const auto split = split_side(entry->run_name.value_or(entry->name));
    if (!split) continue;
    if (!cells.count(split->cell)) order.push_back(split->cell);
    CellRuns& runs = cells[split->cell];
    Run& run = (split->side == Side::kBase ? runs.base
                                           : runs.candidate)[entry->repetition_index.value_or(0)];
    if (entry->skipped.value_or(false)) {
      run.skipped = true;
    } else if (entry->error_occurred.value_or(false)) {
      run.failed = true;
    } else {
      run.entry = *entry;
    }
  }

  AbComparison out;
  out.options = options;
  for (const std::string& name : order) {
    const CellRuns& runs = cells[name];
    CellAb cell;
    cell.name = name;
    for (const auto& [rep, run] : runs.base) {
      cell.base_failed += run.failed;
      cell.skipped += run.skipped;
    }
    for (const auto& [rep, run] : runs.candidate) {
      cell.candidate_failed += run.failed;
      cell.skipped += run.skipped;
    }
    std::vector<std::pair<const result::ResultEntry*, const result::ResultEntry*>> pairs;
    for (const auto& [rep, base_run] : runs.base) {
      auto it = runs.candidate.find(rep);
      if (!base_run.entry || it == runs.candidate.end() || !it->second.entry) continue;
      if (!measured(*base_run.entry) || !measured(*it->second.entry)) {
        ++cell.unmeasured;
        continue;
      }
      pairs.emplace_back(&*base_run.entry, &*it->second.entry);
    }
    cell.pairs = pairs.size();
    for (const MetricSpec& spec : kMetrics) {
      std::vector<double> base, candidate;
      for (const auto& [b, c] : pairs) {
        const auto bv = spec.value(*b), cv = spec.value(*c);
        if (!bv || !cv) continue;
        base.push_back(*bv);
        candidate.push_back(*cv);
      }
      if (base.empty()) continue;
      PairedMetric m = compare_paired(spec.name, spec.higher_is_better, base, candidate, options);
      if (m.counted_once && connections_of(name) != 1) {
        m.judged = false;
        m.verdict = Verdict::kNoChange;
        m.note = "not judged: one count per side at " + std::to_string(connections_of(name)) +
                 " connections, where batching makes it timing-dependent";
      }
      cell.metrics.push_back(std::move(m));
    }
    cell.verdict = cell_verdict(cell);
    if (cell.candidate_failed > cell.base_failed) {
      cell.verdict = Verdict::kRegressed;
      cell.note = "candidate failed " + std::to_string(cell.candidate_failed) + " runs, base " +
                  std::to_string(cell.base_failed);
    } else if (cell.skipped > 0) {
      cell.verdict = Verdict::kInsufficientData;
      cell.note = "skipped (see results.json's skip_reason)";
    } else if (cell.pairs == 0) {
      cell.verdict = Verdict::kInsufficientData;
      cell.note = "no repetition measured on both sides";
    } else if (cell.base_failed > 0 || cell.candidate_failed > 0) {
      cell.note = std::to_string(cell.base_failed) + " base and " +
                  std::to_string(cell.candidate_failed) + " candidate runs failed";
    }
    if (cell.unmeasured > 0) {
      cell.note += std::string(cell.note.empty() ? "" : "; ") + std::to_string(cell.unmeasured) +
                   " pair(s) dropped: a side served nothing or was not valid";
    }
    out.cells.push_back(std::move(cell));
  }
  return out;
}

int ab_exit_code(const AbComparison& comparison) {
  auto any = [&comparison](Verdict v) {
    return std::any_of(comparison.cells.begin(), comparison.cells.end(),
                       [v](const CellAb& c) { return c.verdict == v; });
  };
  if (any(Verdict::kRegressed)) return 1;
  if (comparison.cells.empty() || any(Verdict::kInsufficientData)) return 3;
  return 0;
}

}  // namespace iomb::ab
