// Splitting and trimming the text that /proc, /sys and perf print. Pure functions; any thread.
// The views point into the input, which must outlive them.
#pragma once

#include <string_view>
#include <vector>

namespace iomb::sampling {

// "a,b,,c" -> {"a", "b", "", "c"}; "" -> {""}. A trailing separator gives a trailing "".
std::vector<std::string_view> split(std::string_view text, char separator);

// Without leading and trailing spaces, tabs and newlines.
std::string_view trim(std::string_view text);

}  // namespace iomb::sampling
