// `iomb load`: drives an already running target with the load flags and prints/writes the
// result (DESIGN §4.1, §4.3; no server counters). Main thread.
#pragma once

#include <string>

#include "harness/load/load_options.h"

namespace CLI {
class App;
}

namespace iomb::harness {

struct LoadCommandOptions {
  LoadOptions load;
  std::string label = "external:target";  // "<model>:<mode>" in the benchmark name
};

void add_load_command_flags(CLI::App& app, LoadCommandOptions& o);
// Returns the process exit code: 0 ok, 1 failed or invalid (verification), 2 bad flags.
int run_load_command(LoadCommandOptions& o, int argc, char** argv);

}  // namespace iomb::harness
