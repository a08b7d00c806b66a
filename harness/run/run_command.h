// `iomb run` (DESIGN §4.2): start a server (a model name or any binary following §3.2) or use
// --target, pin server and client to disjoint CPUs, warm up, measure, sample the server from
// /proc, stop it and check it stopped cleanly; --repetitions with aggregates, an optional
// syscall-counting pass, and the machine's floor in the result context. Main thread.
// Flags live in run_options.cc; the orchestration (which needs harness/sampling) in
// run_command.cc.
#pragma once

#include <chrono>
#include <string>

#include "harness/load/load_options.h"

namespace CLI {
class App;
}

namespace iomb::harness {

struct RunCommandOptions {
  LoadOptions load;
  std::string server;           // model name or path; empty with --target
  std::string server_args;      // passed through to the server
  std::string client = "iomb";  // the load generator: "iomb" or "wrk" (external, unverified)
  int repetitions = 3;
  std::string server_cpus;  // "" = default CPU plan
  std::string client_cpus;
  bool count_syscalls = false;
  int server_pid = 0;        // with --target: the process to sample
  std::string floor_binary;  // "" = iomb-floor next to iomb
  bool no_floor = false;
  std::chrono::nanoseconds ready_timeout = std::chrono::seconds(10);
};

void add_run_command_flags(CLI::App& app, RunCommandOptions& o);
// Cross-flag checks after parsing; throws CLI::ValidationError (exit 2).
void validate_run_options(RunCommandOptions& o);
// Returns the exit code: 0 ok (or the model skipped as unavailable), 1 a run failed or was
// invalid, 2 bad flags found late (CPU lists).
int run_run_command(RunCommandOptions& o, int argc, char** argv);

}  // namespace iomb::harness
