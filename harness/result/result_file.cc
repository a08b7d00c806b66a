// Implementation of result_file.h.
#include "harness/result/result_file.h"

#include <fstream>
#include <sstream>

namespace iomb::result {

ResultDocument read_result_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ResultFileError(ResultFileError::Problem::kCannotOpen, path, "cannot open");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    throw ResultFileError(ResultFileError::Problem::kNotJson, path, "not valid JSON");
  }
  return result_document(json, path);
}

ResultDocument result_document(const nlohmann::json& json, const std::string& source) {
  if (!json.is_object() || !json.contains("benchmarks") || !json["benchmarks"].is_array()) {
    throw ResultFileError(ResultFileError::Problem::kNoBenchmarks, source,
                          "not a Google Benchmark result (no \"benchmarks\" array)");
  }
  ResultDocument doc;
  doc.benchmarks = json["benchmarks"];
  if (json.contains("context") && json["context"].is_object()) doc.context = json["context"];
  return doc;
}

}  // namespace iomb::result
