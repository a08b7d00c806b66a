// Parsing of human-friendly sizes ("64", "4KiB", "1MiB", "2k") and durations ("500ms", "10s",
// "2m", "750us"). Pure functions; any thread. Errors throw std::invalid_argument with a message
// that names the bad text.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace iomb {

// Bytes. Suffixes: B, K/KB/KiB/k (1024), M/MB/MiB, G/GB/GiB; none = bytes.
uint64_t parse_size(std::string_view text);

// Nanoseconds. Suffixes: ns, us, ms, s, m, h; a bare number means seconds.
std::chrono::nanoseconds parse_duration(std::string_view text);

// Human-readable forms for logs and reports ("4KiB", "1.5s").
std::string format_size(uint64_t bytes);
std::string format_duration(std::chrono::nanoseconds d);

}  // namespace iomb
