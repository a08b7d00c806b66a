// Reads the result files of a directory (results.json first, then the other *.json in name
// order, not recursive) into RunRecords. An entry that two files both hold verbatim (the matrix
// results.json and the raw per-run file it came from) is kept once. Unreadable files and
// entries become warnings, never errors. Any thread; touches only the files it reads.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/report/run_record.h"

namespace iomb::report {

struct LoadedResults {
  std::vector<std::string> files;        // result files used, in load order
  std::vector<nlohmann::json> contexts;  // one per file (an empty object when it has none)
  std::vector<RunRecord> records;        // RunRecord::context_index points into contexts
  std::vector<std::string> warnings;
};

LoadedResults load_results(const std::string& dir);

}  // namespace iomb::report
