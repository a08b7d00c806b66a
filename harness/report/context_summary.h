// The result context (DESIGN §4.2: machine, kernel, pinning, date, git sha, floor...) as
// label/value lines for the report, the well-known keys first and "not recorded" where they
// are missing. Pure; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace iomb::report {

std::vector<std::pair<std::string, std::string>> describe_context(const nlohmann::json& context);

}  // namespace iomb::report
