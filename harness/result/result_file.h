// Reads a result file (DESIGN §4.3) from disk: the one place that opens and parses one, for
// compare, report, matrix (an `iomb run` child's --json file) and the floor lookup. Checks the
// document's shape only (valid JSON, a benchmarks array); entries are read by ResultEntry, so
// each caller keeps its own policy for an entry it cannot use. Any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace iomb::result {

struct ResultDocument {
  nlohmann::json context = nlohmann::json::object();  // {} when the file has none
  nlohmann::json benchmarks = nlohmann::json::array();
};

class ResultFileError : public std::runtime_error {
 public:
  enum class Problem { kCannotOpen, kNotJson, kNoBenchmarks };
  // what() is "<source>: <why>".
  ResultFileError(Problem problem, const std::string& source, const std::string& why)
      : std::runtime_error(source + ": " + why), problem_(problem) {}
  Problem problem() const { return problem_; }

 private:
  Problem problem_;
};

// Throws ResultFileError naming `path` and the problem.
ResultDocument read_result_file(const std::string& path);

// The same checks on an already parsed document; `source` names it in the error.
ResultDocument result_document(const nlohmann::json& json, const std::string& source);

}  // namespace iomb::result
