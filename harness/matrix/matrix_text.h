// Small text helpers shared by the matrix command and its runner: wall-clock durations as
// "1h02m03s", run names as file-name slugs, a file read whole. Pure functions, any thread.
#pragma once

#include <chrono>
#include <string>

namespace iomb::matrix {

// "12m05s", or "1h02m03s" from an hour on.
std::string clock_text(std::chrono::nanoseconds d);

// Every character that is not a letter or digit becomes '-'.
std::string slug(const std::string& name);

// The file's bytes, "" when it cannot be read.
std::string read_text(const std::string& path);

}  // namespace iomb::matrix
