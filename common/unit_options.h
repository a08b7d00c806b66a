// CLI11 options that take a value with units: byte sizes ("4MiB") for the servers and the load
// generator, durations ("500ms") for the harness. Registered on the main thread while the
// command line is set up; the bound target is written during parsing only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace iomb {

// A byte size, parsed by parse_size(); --help shows the current value of `target`.
void add_size_option(CLI::App& app, const std::string& name, uint64_t& target,
                     const std::string& help);

// A duration, parsed by parse_duration(); --help shows the current value of `target`.
void add_duration_option(CLI::App& app, const std::string& name, std::chrono::nanoseconds& target,
                         const std::string& help);

}  // namespace iomb
