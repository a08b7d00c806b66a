// `iomb history`'s judgement: E-divisive change points of every series of history_series.h,
// each described by the commit that introduced it, the medians of the segments on either side,
// the relative change and whether that change is a regression for the metric's direction.
// Pure functions; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/history/e_divisive.h"
#include "harness/history/history_series.h"

namespace iomb::history {

struct ChangeReport {
  std::string benchmark;
  const result::Measure* measure = nullptr;
  size_t result_index = 0;  // the first result after the change (into HistoryInput::results)
  std::string commit;       // that result's commit
  double before = 0;        // median of the segment before (from the previous change point)
  double after = 0;         // median of the segment after (up to the next change point)
  double change = 0;        // (after - before) / |before|; NaN when before is 0
  bool regression = false;  // the change goes the metric's bad way
  double p_value = 1;
  bool latest = false;  // the last change point of its series
};

struct HistoryReport {
  EDivisiveOptions options;
  std::vector<ResultPoint> results;
  size_t series_count = 0;            // series looked at
  size_t series_too_short = 0;        // series with fewer than 2 × min_segment points
  std::vector<ChangeReport> changes;  // by series, then by position
};

HistoryReport analyse_history(const HistoryInput& input, const EDivisiveOptions& options);

// The CI gate: whether the latest change point of any series is a regression.
bool latest_change_is_regression(const HistoryReport& report);

// The report as JSON (options, the results with their commits, every change point).
nlohmann::json history_json(const HistoryReport& report);

}  // namespace iomb::history
