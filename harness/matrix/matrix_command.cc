// Implementation of matrix_command.h: the flags and the MatrixRunner that executes a plan.
#include "harness/matrix/matrix_command.h"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "common/units.h"
#include "harness/cpu/cpu_affinity.h"
#include "harness/cpu/cpu_list.h"
#include "harness/matrix/matrix_plan.h"
#include "harness/matrix/matrix_spec.h"
#include "harness/matrix/presets.h"
#include "harness/matrix/run_child.h"
#include "harness/matrix/run_entry.h"
#include "harness/process/child_process.h"
#include "harness/result/aggregates.h"
#include "harness/result/benchmark_name.h"
#include "harness/result/result_json.h"
#include "harness/run/floor.h"
#include "harness/run/server_launcher.h"

namespace iomb::matrix {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

volatile std::sig_atomic_t g_signal = 0;

void on_signal(int sig) { g_signal = sig; }

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "iomb";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string clock_text(std::chrono::nanoseconds d) {
  long s = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm%02lds", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  }
  return buf;
}

std::string ms_flag(std::chrono::nanoseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
}

std::string slug(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return out;
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

std::string utc_stamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

class MatrixRunner {
 public:
  MatrixRunner(MatrixSpec spec, const MatrixOptions& o, std::string out_dir, json context)
      : spec_(std::move(spec)), o_(o), out_(std::move(out_dir)), context_(std::move(context)) {}

  // Returns the exit code.
  int run() {
    closed_ = closed_loop_cells(spec_);
    const size_t open_count = open_loop_cell_count(spec_);
    total_runs_ = (closed_.size() + open_count) * static_cast<size_t>(spec_.repetitions);
    total_estimate_ = estimate_total(spec_);
    start_ = Clock::now();
    write();
    for (int rep = 0; rep < spec_.repetitions && !interrupted(); ++rep) {
      for (size_t i = 0; i < closed_.size() && !interrupted(); ++i) run_cell(closed_[i], i, rep);
    }
    if (!interrupted() && open_count > 0) {
      open_ = open_loop_cells(spec_, capacities());
      for (int rep = 0; rep < spec_.repetitions && !interrupted(); ++rep) {
        for (size_t i = 0; i < open_.size() && !interrupted(); ++i) {
          run_cell(open_[i], closed_.size() + i, rep);
        }
      }
    }
    context_["matrix"]["status"] = interrupted() ? "interrupted" : "complete";
    write();
    std::fprintf(stderr,
                 "iomb matrix: %s after %s: %d runs ok, %d failed, %d skipped cells; results in "
                 "%s/results.json\n",
                 interrupted() ? "INTERRUPTED" : "done", clock_text(Clock::now() - start_).c_str(),
                 ok_runs_, failed_runs_, static_cast<int>(skipped_cells_.size()), out_.c_str());
    if (interrupted()) return 128 + g_signal;
    return failed_runs_ > 0 ? 1 : 0;
  }

 private:
  static bool interrupted() { return g_signal != 0; }

  std::string name_for(const CellSpec& c, const std::string& mode) const {
    result::BenchmarkName n;
    n.protocol = c.protocol == "http" ? "http" : "echo";
    n.model = spec_.servers[c.server].model_name();
    n.mode = mode;
    n.connections = c.connections;
    n.depth = c.pipeline;
    n.size = c.size;
    if (c.rate > 0) n.rate = c.rate;
    std::string name = n.format();
    // An open-loop cell that never got a rate (no capacity measured) still reads as open loop.
    return c.open_loop() && c.rate <= 0 ? name + "/r:0" : name;
  }

  std::string planned_mode(const CellSpec& c) const {
    const ServerSpec& s = spec_.servers[c.server];
    if (!s.mode.empty()) return s.mode;
    auto it = reported_modes_.find(c.server);
    return it != reported_modes_.end() ? it->second : "default";
  }

  void progress(const CellSpec& c, int rep, const std::string& name) {
    ++started_runs_;
    std::string eta = "estimated " + clock_text(total_estimate_);
    if (done_estimate_.count() > 0) {
      double pace = std::chrono::duration<double>(done_actual_).count() /
                    std::chrono::duration<double>(done_estimate_).count();
      auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
          (total_estimate_ - done_estimate_) * std::max(pace, 0.1));
      eta = "ETA " + clock_text(std::max(left, std::chrono::nanoseconds(0)));
    }
    std::fprintf(stderr, "iomb matrix: [%zu/%zu] rep %d/%d %s (elapsed %s, %s)\n", started_runs_,
                 total_runs_, rep + 1, spec_.repetitions, name.c_str(),
                 clock_text(Clock::now() - start_).c_str(), eta.c_str());
    (void)c;
  }

  void add(json entry, const std::string& name, size_t cell_index, int rep,
           const std::string& raw) {
    rename_entry(entry, name, rep, spec_.repetitions, static_cast<int>(cell_index));
    entry["iomb"]["matrix"] = {{"cell", cell_index}, {"order", entries_.size()}, {"raw", raw}};
    cell_of_entry_.push_back(cell_index);
    entries_.push_back(std::move(entry));
    write();
  }

  void skip_cell(const CellSpec& c, size_t cell_index, int rep, const std::string& why) {
    // One skipped entry per cell; the later repetitions would say the same.
    total_estimate_ -= estimate_run(c) * (spec_.repetitions - rep);
    skipped_cells_.insert(cell_index);
    std::string name = name_for(c, planned_mode(c));
    std::fprintf(stderr, "iomb matrix: %s skipped: %s\n", name.c_str(), why.c_str());
    add(skipped_entry(name, rep, spec_.repetitions, why), name, cell_index, rep, "");
  }

  void run_cell(const CellSpec& c, size_t cell_index, int rep) {
    if (skipped_cells_.count(cell_index)) return;
    if (!c.skip_reason.empty()) return skip_cell(c, cell_index, rep, c.skip_reason);
    const ServerSpec& server = spec_.servers[c.server];
    const std::string binary = harness::resolve_server_binary(server.model);
    if (::access(binary.c_str(), X_OK) != 0) {
      return skip_cell(c, cell_index, rep, "not built: no executable " + binary);
    }
    const std::string planned = name_for(c, planned_mode(c));
    progress(c, rep, planned);
    char stem[32];
    std::snprintf(stem, sizeof stem, "%04zu-", run_counter_++);
    const std::string raw = std::string("raw/") + stem + slug(planned);
    const std::string json_path = out_ + "/" + raw + ".json";
    const bool count = spec_.count_syscalls && rep == 0;
    std::vector<std::string> argv{self_exe(), "run", "--server", server.model};
    if (!server.args.empty()) argv.insert(argv.end(), {"--server-args", server.args});
    argv.insert(
        argv.end(),
        {"--protocol", c.protocol, "--connections", std::to_string(c.connections), "--pipeline",
         std::to_string(c.pipeline), "--size", std::to_string(c.size), "--duration",
         ms_flag(c.duration), "--warmup", ms_flag(c.warmup), "--threads",
         std::to_string(spec_.threads), "--repetitions", "1", "--quiet", "--json", json_path});
    if (c.rate > 0) {
      char rate[32];
      std::snprintf(rate, sizeof rate, "%.0f", c.rate);
      argv.insert(argv.end(), {"--rate", rate, "--arrival", c.arrival});
    }
    if (floor_arg_.empty()) {
      argv.push_back("--no-floor");
    } else {
      argv.insert(argv.end(), {"--floor-binary", floor_arg_});
    }
    if (count) argv.push_back("--count-syscalls");
    if (!o_.server_cpus.empty()) argv.insert(argv.end(), {"--server-cpus", o_.server_cpus});
    if (!o_.client_cpus.empty()) argv.insert(argv.end(), {"--client-cpus", o_.client_cpus});

    const auto t0 = Clock::now();
    RunChild child(argv, out_ + "/" + raw + ".log");
    if (!child.wait(&g_signal)) {
      child.stop();  // the server goes with it; this run's numbers are dropped
      return;
    }
    done_actual_ += Clock::now() - t0;
    done_estimate_ += estimate_run(c);
    RunEntry r = read_run_entry(json_path, child.exit_code(),
                                sampling::tail_lines(read_text(out_ + "/" + raw + ".log"), 3));
    if (!r.reported_mode.empty() && server.mode.empty())
      reported_modes_[c.server] = r.reported_mode;
    const std::string name = name_for(c, planned_mode(c));
    if (r.kind == RunEntry::Kind::kSkipped) {
      total_estimate_ -= estimate_run(c) * (spec_.repetitions - rep - 1);
      skipped_cells_.insert(cell_index);
      std::fprintf(stderr, "iomb matrix: %s skipped: %s\n", name.c_str(), r.message.c_str());
      r.entry["repetitions"] = spec_.repetitions;
      return add(std::move(r.entry), name, cell_index, rep, raw + ".json");
    }
    if (r.kind == RunEntry::Kind::kFailed) {
      ++failed_runs_;
      std::fprintf(stderr, "iomb matrix: %s FAILED: %s (log: %s/%s.log)\n", name.c_str(),
                   r.message.c_str(), out_.c_str(), raw.c_str());
    } else {
      ++ok_runs_;
    }
    // The syscall count is deterministic per cell: counted once (repetition 1), shown on all.
    if (count && r.syscall_pass.is_object()) {
      if (r.syscall_pass.contains("syscalls_per_req")) {
        syscalls_[cell_index] = r.syscall_pass["syscalls_per_req"].get<double>();
      } else if (r.syscall_pass.contains("unavailable")) {
        context_["matrix"]["syscall_pass"] = r.syscall_pass;
      }
    }
    if (auto it = syscalls_.find(cell_index);
        it != syscalls_.end() && !r.entry.value("error_occurred", false)) {
      r.entry["syscalls_per_req"] = it->second;
    }
    add(std::move(r.entry), name, cell_index, rep, raw + ".json");
  }

  Capacities capacities() const {
    std::map<size_t, std::vector<double>> rps;
    for (size_t i = 0; i < entries_.size(); ++i) {
      const json& e = entries_[i];
      if (cell_of_entry_[i] >= closed_.size() || e.value("error_occurred", false) ||
          e.value("skipped", false) || !e.contains("items_per_second")) {
        continue;
      }
      rps[cell_of_entry_[i]].push_back(e["items_per_second"].get<double>());
    }
    Capacities out;
    for (const auto& [cell, values] : rps) {
      const CellSpec& c = closed_[cell];
      if (c.pipeline != 1) continue;
      out[{c.server, c.protocol, c.size, c.connections}] = result::aggregate(values).median;
    }
    return out;
  }

  // results.json: every run in the order it ran, then each cell's aggregates. Written to a
  // temporary file and renamed, so a reader (or a Ctrl-C) never sees a half-written file.
  void write() {
    std::vector<json> all = entries_;
    if (spec_.repetitions > 1) {
      std::map<std::string, std::vector<json>> by_name;
      std::vector<std::string> order;
      for (const json& e : entries_) {
        const std::string name = e.value("name", "");
        if (!by_name.count(name)) order.push_back(name);
        by_name[name].push_back(e);
      }
      for (const auto& name : order) {
        if (by_name[name].size() < 2) continue;
        for (auto& a : result::aggregate_entries(name, by_name[name])) all.push_back(std::move(a));
      }
    }
    context_["matrix"]["completed_runs"] = ok_runs_ + failed_runs_;
    const std::string path = out_ + "/results.json";
    result::write_result_file(path + ".tmp", context_, all);
    fs::rename(path + ".tmp", path);
  }

 public:
  std::string floor_arg_;

 private:
  MatrixSpec spec_;
  const MatrixOptions& o_;
  std::string out_;
  json context_;
  std::vector<CellSpec> closed_, open_;
  std::vector<json> entries_;
  std::vector<size_t> cell_of_entry_;
  std::set<size_t> skipped_cells_;
  std::map<size_t, double> syscalls_;
  std::map<int, std::string> reported_modes_;
  size_t total_runs_ = 0, started_runs_ = 0, run_counter_ = 1;
  int ok_runs_ = 0, failed_runs_ = 0;
  Clock::time_point start_;
  std::chrono::nanoseconds total_estimate_{0}, done_estimate_{0}, done_actual_{0};
};

MatrixSpec load_spec(const MatrixOptions& o, std::string* source, std::string* text) {
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
      auto run = sampling::ChildProcess::spawn(
          {bin, std::string("--benchmark_filter=") + sampling::kFloorBenchmarkFilter,
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
        if (!sampling::measure_floor(file, &why)) std::filesystem::remove(file);
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
  auto floor = sampling::measure_floor(file, &why);
  (*context)["floor"] = sampling::floor_to_json(*floor);
  return file;
}

}  // namespace

void add_matrix_flags(CLI::App& app, MatrixOptions& o) {
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
    spec = load_spec(o, &source, &text);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb matrix: %s\n", e.what());
    return 2;
  }
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
    }
    return 0;
  }

  const std::string out =
      o.out.empty() ? "results/runs/" + utc_stamp() + "-" + slug(spec.name) : o.out;
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

  sampling::CpuPlan plan = sampling::default_cpu_plan();
  if (!plan.pinned && o.server_cpus.empty() && o.client_cpus.empty()) {
    std::fprintf(stderr, "iomb matrix: running UNPINNED (server and client share CPUs): %s\n",
                 plan.note.c_str());
  }
  json extra{{"iomb_command", "matrix"},
             {"matrix",
              {{"name", spec.name},
               {"source", source},
               {"description", spec.description},
               {"repetitions", spec.repetitions},
               {"planned_runs", runs},
               {"status", "running"}}},
             {"cpu_pinning",
              {{"pinned", plan.pinned || !o.server_cpus.empty()},
               {"server_cpus",
                o.server_cpus.empty() ? sampling::format_cpu_list(plan.server) : o.server_cpus},
               {"client_cpus",
                o.client_cpus.empty() ? sampling::format_cpu_list(plan.client) : o.client_cpus},
               {"note", plan.note}}}};
  std::string floor_file;
  if (o.no_floor) {
    extra["floor"] = {{"unavailable", "not measured (--no-floor)"}};
  } else {
    floor_file = measure_floor_once(o, out, &extra);
  }
  MatrixRunner runner(std::move(spec), o, out, result::result_context(argc, argv, extra));
  runner.floor_arg_ = floor_file;
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
