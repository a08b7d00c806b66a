// find_executable: where a program named on a command line is, resolved the way a shell does
// (PATH), before a child is started with it. Any thread.
#pragma once

#include <optional>
#include <string>

namespace iomb::process {

// `name` itself when it holds a '/' and is executable, else the first executable `name` on
// PATH.
std::optional<std::string> find_executable(const std::string& name);

}  // namespace iomb::process
