// Turns one benchmarks[] entry (Google Benchmark JSON, DESIGN §4.3) into a RunRecord. Lenient:
// missing or mistyped fields stay empty. Pure; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "harness/report/run_record.h"

namespace iomb::report {

// nullopt (and *why set) when the entry is not an object or its name does not parse.
// `context` is the file's context object (for the floor).
std::optional<RunRecord> parse_run_record(const nlohmann::json& entry,
                                          const nlohmann::json& context, std::string* why);

}  // namespace iomb::report
