// Implementation of result_json.h (all but result_context, in result_context.cc).
#include "harness/result/result_json.h"

#include <cerrno>
#include <fstream>
#include <system_error>

#include "harness/result/aggregates.h"
#include "harness/result/result_entry.h"

namespace iomb::result {
namespace {

// The Google Benchmark fields that are not numbers to aggregate.
bool is_numeric_counter(const std::string& key, const nlohmann::json& v) {
  static const char* kSkip[] = {"family_index", "per_family_instance_index", "repetitions",
                                "repetition_index", "threads"};
  for (const char* s : kSkip) {
    if (key == s) return false;
  }
  return v.is_number();
}

}  // namespace

nlohmann::json error_entry(const std::string& name, int repetition_index, int repetitions,
                           const std::string& message) {
  ResultEntry e = ResultEntry::empty_run(name, repetition_index, repetitions);
  e.error_occurred = true;
  e.error_message = message;
  return e.to_json();
}

std::vector<nlohmann::json> aggregate_entries(const std::string& name,
                                              const std::vector<nlohmann::json>& iterations) {
  std::vector<const nlohmann::json*> good;
  for (const auto& it : iterations) {
    if (!it.value("error_occurred", false) && it.contains("iomb") &&
        it["iomb"].value("valid", false)) {
      good.push_back(&it);
    }
  }
  if (good.empty()) return {};
  std::vector<std::string> keys;
  for (const auto& [key, value] : good.front()->items()) {
    if (is_numeric_counter(key, value)) keys.push_back(key);
  }
  std::vector<nlohmann::json> out;
  for (const char* kind : {"mean", "median", "stddev", "cv"}) {
    nlohmann::json e{{"name", name + "_" + kind},
                     {"family_index", 0},
                     {"per_family_instance_index", 0},
                     {"run_name", name},
                     {"run_type", "aggregate"},
                     {"repetitions", static_cast<int>(iterations.size())},
                     {"threads", good.front()->value("threads", 1)},
                     {"aggregate_name", kind},
                     {"aggregate_unit", std::string(kind) == "cv" ? "percentage" : "time"},
                     {"time_unit", "ns"}};
    for (const auto& key : keys) {
      std::vector<double> values;
      for (const auto* it : good) {
        if (it->contains(key) && (*it)[key].is_number()) values.push_back((*it)[key].get<double>());
      }
      Aggregates a = aggregate(values);
      double v = kind[0] == 'm' ? (kind[1] == 'e' && kind[2] == 'a' ? a.mean : a.median)
                                : (kind[0] == 's' ? a.stddev : a.cv);
      e[key] = v;
    }
    e["iterations"] = static_cast<int>(good.size());  // as Google Benchmark: the runs aggregated
    out.push_back(std::move(e));
  }
  return out;
}

void write_result_file(const std::string& path, const nlohmann::json& context,
                       const std::vector<nlohmann::json>& benchmarks) {
  nlohmann::json doc{{"context", context}, {"benchmarks", benchmarks}};
  std::ofstream out(path);
  if (!out) throw std::system_error(errno, std::generic_category(), "open " + path);
  out << doc.dump(2) << "\n";
  out.flush();
  if (!out) throw std::system_error(EIO, std::generic_category(), "write " + path);
}

}  // namespace iomb::result
