// Implementation of matrix_command.h: the flags, loading the matrix, the one floor
// measurement, the signal handlers, then a MatrixRunner.
#include "harness/matrix/matrix_command.h"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/self_exe.h"
#include "common/units.h"
#include "harness/cpu/cpu_affinity.h"
#include "harness/cpu/cpu_list.h"
#include "harness/matrix/matrix_plan.h"
#include "harness/matrix/matrix_runner.h"
#include "harness/matrix/matrix_spec.h"
#include "harness/matrix/matrix_text.h"
#include "harness/matrix/presets.h"
#include "harness/matrix/run_child.h"
#include "harness/process/child_process.h"
#include "harness/result/result_json.h"
#include "harness/run/floor.h"

namespace iomb::matrix {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

volatile std::sig_atomic_t g_signal = 0;

void on_signal(int sig) { g_signal = sig; }

std::string self_exe() {
  std::string path = self_exe_path();
  return path.empty() ? "iomb" : path;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

MatrixSpec load_matrix_spec(const MatrixOptions& o, std::string* source, std::string* text) {
  if (!o.config.empty()) {
    *source = o.config;
    std::ifstream in(o.config);
    if (!in) throw std::invalid_argument("cannot read " + o.config);
    *text = read_text(o.config);
  } else {
    std::string preset = o.preset.empty() ? "quick" : o.preset;
    *source = "preset " + preset;
    *text = preset_text(preset);
    if (text->empty()) throw std::invalid_argument("no preset named " + preset);
  }
  MatrixSpec spec = parse_matrix_toml(*text, *source);
  if (spec.name.empty())
    spec.name = o.config.empty() ? o.preset : fs::path(o.config).stem().string();
  if (!o.protocols.empty()) {
    auto protocols = split_list(o.protocols);
    for (const auto& p : protocols) {
      if (p != "echo" && p != "http") throw std::invalid_argument("--protocols: unknown " + p);
    }
    override_protocols(spec, protocols);
  }
  if (o.repetitions > 0) spec.repetitions = o.repetitions;
  if (!o.duration.empty() || !o.warmup.empty()) {
    auto d = o.duration.empty() ? std::nullopt : std::optional(parse_duration(o.duration));
    auto w = o.warmup.empty() ? std::nullopt : std::optional(parse_duration(o.warmup));
    if (d) spec.duration = *d;
    if (w) spec.warmup = *w;
    for (auto& s : spec.sweeps) {
      if (d) s.duration = d;
      if (w) s.warmup = w;
    }
    for (auto& s : spec.open_loop) {
      if (d) s.duration = d;
      if (w) s.warmup = w;
    }
  }
  return spec;
}

namespace {

// Runs iomb-floor once for the whole matrix and keeps its output in raw/floor.json, which every
// `iomb run` then reads (--floor-binary FILE.json) instead of measuring again.
std::string measure_floor_once(const MatrixOptions& o, const std::string& out, json* context) {
  std::string bin = o.floor_binary.empty()
                        ? fs::path(self_exe()).parent_path().string() + "/iomb-floor"
                        : o.floor_binary;
  std::string why;
  std::string file = out + "/raw/floor.json";
  if (::access(bin.c_str(), X_OK) != 0) {
    why = bin + " is not an executable (build with IOMB_BUILD_BENCHMARKS=ON)";
  } else {
    std::fprintf(stderr, "iomb matrix: measuring the floor with %s\n", bin.c_str());
    try {
      auto run = process::ChildProcess::spawn(
          {bin, std::string("--benchmark_filter=") + harness::kFloorBenchmarkFilter,
           "--benchmark_min_time=0.2", "--benchmark_format=json"});
      std::optional<int> status;
      for (int i = 0; i < 6000 && !status && g_signal == 0; ++i) {
        status = run.wait_for(std::chrono::milliseconds(20));
      }
      if (!status) {
        run.wait_or_kill(std::chrono::milliseconds(0));
        why = g_signal ? "interrupted" : bin + " did not finish within 120 s";
      } else {
        std::ofstream(file) << run.stdout_text();
        if (!harness::measure_floor(file, &why)) std::filesystem::remove(file);
      }
    } catch (const std::exception& e) {
      why = e.what();
    }
  }
  if (!fs::exists(file)) {
    std::fprintf(stderr, "iomb matrix: no floor: %s\n", why.c_str());
    (*context)["floor"] = {{"unavailable", why}};
    return "";
  }
  auto floor = harness::measure_floor(file, &why);
  (*context)["floor"] = harness::floor_to_json(*floor);
  return file;
}

}  // namespace

void add_matrix_command_flags(CLI::App& app, MatrixOptions& o) {
  auto* preset = app.add_option("--preset", o.preset,
                                "Built-in matrix: quick (every model, a few minutes), full (every "
                                "model and mode, under an hour), ci (small fixed set)")
                     ->check(CLI::IsMember(preset_names()));
  app.add_option("--config", o.config, "A TOML matrix (schema: results/README.md)")
      ->check(CLI::ExistingFile)
      ->excludes(preset);
  app.add_option("--out", o.out, "Output directory (default results/runs/<UTC time>-<name>)");
  app.add_option("--protocols", o.protocols,
                 "Comma list replacing every sweep's protocols, e.g. echo,http");
  app.add_option("-r,--repetitions", o.repetitions, "Override the matrix's repetitions")
      ->check(CLI::Range(1, 100));
  app.add_option("--duration", o.duration, "Override every run's measured time (e.g. 500ms)");
  app.add_option("--warmup", o.warmup, "Override every run's warm-up");
  app.add_option("--server-cpus", o.server_cpus, "Passed to every iomb run");
  app.add_option("--client-cpus", o.client_cpus, "Passed to every iomb run");
  app.add_option("--floor-binary", o.floor_binary, "iomb-floor binary (default: next to iomb)");
  app.add_flag("--no-floor", o.no_floor, "Do not measure the recv+send floor");
  app.add_flag("--dry-run", o.dry_run, "Print the cells and the time estimate, run nothing");
}

int run_matrix_command(const MatrixOptions& o, int argc, char** argv) {
  MatrixSpec spec;
  std::string source, text;
  try {
    spec = load_matrix_spec(o, &source, &text);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb matrix: %s\n", e.what());
    return 2;
  }
  return run_loaded_matrix(std::move(spec), source, text, o, argc, argv);
}

int run_loaded_matrix(MatrixSpec spec, const std::string& source, const std::string& text,
                      const MatrixOptions& o, int argc, char** argv) {
  const auto closed = closed_loop_cells(spec);
  const size_t open = open_loop_cell_count(spec);
  const size_t runs = (closed.size() + open) * static_cast<size_t>(spec.repetitions);
  std::fprintf(stderr,
               "iomb matrix: %s (%s): %zu servers, %zu closed-loop + %zu open-loop cells x %d "
               "repetitions = %zu runs, estimated %s\n",
               spec.name.c_str(), source.c_str(), spec.servers.size(), closed.size(), open,
               spec.repetitions, runs, clock_text(estimate_total(spec)).c_str());
  if (o.dry_run) {
    for (const auto& c : closed) {
      std::printf("%s %s c:%d d:%d s:%llu\n", spec.servers[c.server].id().c_str(),
                  c.protocol.c_str(), c.connections, c.pipeline,
                  static_cast<unsigned long long>(c.size));
    }
    for (const auto& sw : spec.open_loop) {
      for (double f : sw.fractions) {
        std::printf("open loop: %.0f %% of capacity at c:%d (%zu protocols x %zu sizes)\n", f * 100,
                    sw.connections, sw.protocols.size(), sw.sizes.size());
      }
      for (double r : sw.rates) {
        std::printf("open loop: %.0f req/s at c:%d (%zu protocols x %zu sizes)\n", r,
                    sw.connections, sw.protocols.size(), sw.sizes.size());
      }
    }
    return 0;
  }

  const std::string out =
      o.out.empty() ? "results/runs/" + result::utc_stamp() + "-" + slug(spec.name) : o.out;
  std::error_code ec;
  fs::create_directories(out + "/raw", ec);
  if (ec) {
    std::fprintf(stderr, "iomb matrix: cannot create %s/raw: %s\n", out.c_str(),
                 ec.message().c_str());
    return 1;
  }
  std::ofstream(out + "/matrix.toml") << "# " << source << "\n" << text;

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);
  become_subreaper();

  cpu::CpuPlan plan = cpu::default_cpu_plan();
  if (!plan.pinned && o.server_cpus.empty() && o.client_cpus.empty()) {
    std::fprintf(stderr, "iomb matrix: running UNPINNED (server and client share CPUs): %s\n",
                 plan.note.c_str());
  }
  json extra{
      {"iomb_command", "matrix"},
      {"matrix",
       {{"name", spec.name},
        {"source", source},
        {"description", spec.description},
        {"repetitions", spec.repetitions},
        {"planned_runs", runs},
        {"status", "running"}}},
      {"cpu_pinning",
       {{"pinned", plan.pinned || !o.server_cpus.empty()},
        {"server_cpus", o.server_cpus.empty() ? cpu::format_cpu_list(plan.server) : o.server_cpus},
        {"client_cpus", o.client_cpus.empty() ? cpu::format_cpu_list(plan.client) : o.client_cpus},
        {"note", plan.note}}}};
  std::string floor_file;
  if (o.no_floor) {
    extra["floor"] = {{"unavailable", "not measured (--no-floor)"}};
  } else {
    floor_file = measure_floor_once(o, out, &extra);
  }
  MatrixRunner runner(std::move(spec), o, out, result::result_context(argc, argv, extra),
                      self_exe(), floor_file, &g_signal);
  int rc = 0;
  try {
    rc = runner.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb matrix: %s\n", e.what());
    rc = 1;
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  return rc;
}

}  // namespace iomb::matrix
