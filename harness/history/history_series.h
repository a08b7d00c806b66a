// The input of `iomb history`: result files of successive commits (oldest first) turned into one
// series per benchmark and tracked metric (throughput, p99, cpu/req, and syscalls/req and
// ctx switches/req where the rows carry them), each point the median over that file's
// repetitions. Pure functions apart from the file reads; any thread.
#pragma once

#include <string>
#include <vector>

#include "harness/result/benchmark_measures.h"
#include "harness/result/result_file.h"

namespace iomb::history {

struct ResultPoint {
  std::string source;  // the file as given
  std::string commit;  // the context's git sha when recorded, else the file name
};

struct MetricSeries {
  std::string benchmark;
  const result::Measure* measure = nullptr;
  std::vector<size_t> results;  // index into HistoryInput::results of each point (ascending)
  std::vector<double> medians;  // one per point
};

struct HistoryInput {
  std::vector<ResultPoint> results;  // in the order given (oldest first)
  std::vector<MetricSeries> series;  // by first appearance of the benchmark, then measure order
};

// The commit that produced a result: context.git_sha (or context.git) when it is a real sha,
// else `source`'s file name.
std::string commit_of(const nlohmann::json& context, const std::string& source);

// `documents[i]` was read from `sources[i]` (same length). Throws std::runtime_error naming the
// file for a row that cannot be read.
HistoryInput build_history(const std::vector<result::ResultDocument>& documents,
                           const std::vector<std::string>& sources);

// Reads every file; throws result::ResultFileError naming the first that cannot be read.
HistoryInput load_history(const std::vector<std::string>& paths);

}  // namespace iomb::history
