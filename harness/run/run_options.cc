// The `iomb run` flags of run_command.h: add_run_command_flags and validate_run_options.
#include <CLI/CLI.hpp>

#include "common/unit_options.h"
#include "harness/run/run_command.h"
#include "harness/run/server_launcher.h"

namespace iomb::harness {

void add_run_command_flags(CLI::App& app, RunCommandOptions& o) {
  app.add_option("--server", o.server,
                 "Server to start: a model (bio, nio, aio, asio: build/<preset>/bin/iomb-<model> "
                 "next to iomb) or the path of any binary following DESIGN §3.2");
  app.add_option("--server-args", o.server_args,
                 "Flags passed to the server, quoted as one string (e.g. \"--mode pool "
                 "--threads 4\"); --port 0 is added unless given");
  app.add_option("--client", o.client,
                 "Load generator: iomb (its own client, replies verified) or wrk (HTTP GET, "
                 "closed loop, no verification; the run is skipped if wrk is not installed)")
      ->check(CLI::IsMember({"iomb", "wrk"}))
      ->capture_default_str();
  add_load_flags(app, o.load, /*target_required=*/false);
  app.add_option("--server-pid", o.server_pid,
                 "With --target: the process serving it, sampled like a started server "
                 "(0 = do not sample)")
      ->capture_default_str();
  app.add_option("-r,--repetitions", o.repetitions,
                 "Measured runs (a fresh server each), aggregated as mean/median/stddev/cv")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--server-cpus", o.server_cpus,
                 "CPUs for the server, e.g. \"1\" or \"2-3\" (default: the last allowed CPU)");
  app.add_option("--client-cpus", o.client_cpus,
                 "CPUs for the load generator (default: the allowed CPUs the server does not "
                 "get)");
  app.add_flag("--count-syscalls", o.count_syscalls,
               "One extra pass with `perf stat` attached to the server, recording syscalls and "
               "context switches per request (skipped with a note where perf cannot attach)");
  app.add_option("--floor-binary", o.floor_binary,
                 "The floor benchmark binary (default: iomb-floor next to iomb)");
  app.add_flag("--no-floor", o.no_floor,
               "Do not measure the recv+send floor (no cpu_floor_ratio counter)");
  add_duration_option(app, "--ready-timeout", o.ready_timeout,
                      "How long a started server may take to print its ready line");
}

void validate_run_options(RunCommandOptions& o) {
  if (o.server.empty() == o.load.target.empty()) {
    throw CLI::ValidationError("--server/--target", "give exactly one of --server or --target");
  }
  if (o.server_pid != 0 && o.load.target.empty()) {
    throw CLI::ValidationError("--server-pid",
                               "only with --target (a started server is sampled anyway)");
  }
  if (o.server_pid < 0) throw CLI::ValidationError("--server-pid", "must be a process id");
  if (!o.server_args.empty() && o.server.empty()) {
    throw CLI::ValidationError("--server-args", "only with --server");
  }
  try {
    split_args(o.server_args);
  } catch (const std::invalid_argument& e) {
    throw CLI::ValidationError("--server-args", e.what());
  }
  validate_load_options(o.load);
}

}  // namespace iomb::harness
