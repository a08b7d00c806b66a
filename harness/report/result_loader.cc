// Implementation of result_loader.h.
#include "harness/report/result_loader.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>

#include "harness/report/record_parser.h"
#include "harness/result/result_file.h"

namespace iomb::report {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> result_files(const std::string& dir, std::vector<std::string>* warnings) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) warnings->push_back("cannot list " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    bool a_main = a.filename() == "results.json";
    bool b_main = b.filename() == "results.json";
    return a_main != b_main ? a_main : a.filename() < b.filename();
  });
  return files;
}

}  // namespace

LoadedResults load_results(const std::string& dir) {
  LoadedResults out;
  // Copies are byte-identical entries; separate runs of one benchmark (each repetition_index 0
  // when written by separate `iomb run` calls) differ in their numbers and are all kept.
  std::set<std::pair<std::string, size_t>> seen;
  for (const auto& path : result_files(dir, &out.warnings)) {
    const std::string file = path.filename().string();
    result::ResultDocument doc;
    try {
      doc = result::read_result_file(path.string());
    } catch (const result::ResultFileError& e) {
      // An unreadable file reads as not JSON, as before the shared reader.
      out.warnings.push_back(file + (e.problem() == result::ResultFileError::Problem::kNoBenchmarks
                                         ? ": no benchmarks array (not a result file), ignored"
                                         : ": not valid JSON, ignored"));
      continue;
    }
    const int context_index = static_cast<int>(out.contexts.size());
    out.files.push_back(file);
    out.contexts.push_back(doc.context);
    for (const auto& entry : doc.benchmarks) {
      std::string why;
      auto record = parse_run_record(entry, out.contexts.back(), &why);
      if (!record) {
        out.warnings.push_back(file + ": " + why + ", entry ignored");
        continue;
      }
      if (!seen.emplace(record->name, std::hash<std::string>{}(entry.dump())).second) continue;
      record->source_file = file;
      record->context_index = context_index;
      out.records.push_back(std::move(*record));
    }
  }
  return out;
}

}  // namespace iomb::report
