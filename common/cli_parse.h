// The one way a program here parses its command line with CLI11: --help and --help-all print
// and exit 0, a bad flag (or a failed check after parsing) prints CLI11's message and exits 2
// (DESIGN §3.1, §4.1). Call from main's thread, before any other thread starts.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace iomb {

// Parses argv into `app`, then runs `validate` (which throws a CLI::ParseError such as
// CLI::ValidationError to refuse). Returns -1 when the program should go on, else the exit code.
int parse_command_line(CLI::App& app, int argc, char** argv,
                       const std::function<void()>& validate = {});

}  // namespace iomb
