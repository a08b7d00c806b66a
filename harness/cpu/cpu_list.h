// The kernel's CPU list syntax ("0-3,6,8-9", as in cpuset(7) and taskset -c): parse and
// format. Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace iomb::cpu {

// Largest CPU number accepted (the kernel's NR_CPUS ceiling is 8192).
inline constexpr int kMaxCpu = 8191;

// "0-1,3" -> {0,1,3}: sorted, duplicates removed; spaces around items are allowed. Throws
// std::invalid_argument naming the bad text on empty input, empty items, reversed ranges,
// signs, non-digits or numbers above kMaxCpu.
std::vector<int> parse_cpu_list(std::string_view text);

// {0,1,3} -> "0-1,3" (input in any order; duplicates ignored); {} -> "".
std::string format_cpu_list(const std::vector<int>& cpus);

}  // namespace iomb::cpu
