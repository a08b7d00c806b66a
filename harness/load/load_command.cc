// Implementation of load_command.h.
#include "harness/load/load_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "harness/load/load_engine.h"
#include "harness/load/load_entry.h"
#include "harness/result/result_json.h"

namespace iomb::harness {

void add_load_command_flags(CLI::App& app, LoadCommandOptions& o) {
  add_load_flags(app, o.load, /*target_required=*/true);
  app.add_option("--label", o.label,
                 "MODEL:MODE naming the target in the result (benchmark name "
                 "<protocol>/<model>:<mode>/c:../d:../s:..[/r:..])")
      ->capture_default_str();
}

int run_load_command(LoadCommandOptions& o, int argc, char** argv) {
  std::string model = o.label, mode = "default";
  if (size_t colon = o.label.find(':'); colon != std::string::npos) {
    model = o.label.substr(0, colon);
    mode = o.label.substr(colon + 1);
  }
  LoadResult r = run_load(o.load);
  std::fputs(r.summary(o.load).c_str(), stderr);
  if (!o.load.json_path.empty()) {
    std::string name = benchmark_name(o.load, model, mode);
    nlohmann::json entry = iteration_entry(name, 0, 1, o.load, r, nullptr);
    if (!r.ok || r.invalid) {
      entry["error_occurred"] = true;
      entry["error_message"] = r.invalid ? "verification failed: " + r.error : r.error;
    }
    nlohmann::json extra{{"iomb_command", "load"}, {"target", o.load.target}};
    try {
      result::write_result_file(o.load.json_path, result::result_context(argc, argv, extra),
                                {entry});
    } catch (const std::exception& e) {
      std::fprintf(stderr, "iomb load: %s\n", e.what());
      return 1;
    }
  }
  if (r.invalid) {
    std::fprintf(stderr, "iomb load: INVALID RUN: %s\n", r.error.c_str());
    return 1;
  }
  return r.ok ? 0 : 1;
}

}  // namespace iomb::harness
