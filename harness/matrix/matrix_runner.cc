// Implementation of matrix_runner.h.
#include "harness/matrix/matrix_runner.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "harness/matrix/matrix_text.h"
#include "harness/matrix/run_child.h"
#include "harness/matrix/run_entry.h"
#include "harness/process/child_process.h"
#include "harness/result/aggregates.h"
#include "harness/result/benchmark_name.h"
#include "harness/result/result_json.h"
#include "harness/run/server_launcher.h"

namespace iomb::matrix {
namespace {

using nlohmann::json;

std::string ms_flag(std::chrono::nanoseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
}

}  // namespace

MatrixRunner::MatrixRunner(MatrixSpec spec, const MatrixOptions& o, std::string out_dir,
                           json context, std::string iomb_path, std::string floor_file,
                           const volatile std::sig_atomic_t* signal)
    : spec_(std::move(spec)),
      o_(o),
      out_(std::move(out_dir)),
      context_(std::move(context)),
      iomb_path_(std::move(iomb_path)),
      floor_arg_(std::move(floor_file)),
      signal_(signal) {}

int MatrixRunner::run() {
  closed_ = closed_loop_cells(spec_);
  const size_t open_count = open_loop_cell_count(spec_);
  total_runs_ = (closed_.size() + open_count) * static_cast<size_t>(spec_.repetitions);
  total_estimate_ = estimate_total(spec_);
  start_ = Clock::now();
  write();
  // The k-th cell of a round: in order, or reversed in odd rounds when counterbalancing.
  auto at = [this](size_t k, size_t n, int rep) {
    return spec_.alternate_round_order && rep % 2 == 1 ? n - 1 - k : k;
  };
  for (int rep = 0; rep < spec_.repetitions && !interrupted(); ++rep) {
    for (size_t k = 0; k < closed_.size() && !interrupted(); ++k) {
      const size_t i = at(k, closed_.size(), rep);
      run_cell(closed_[i], i, rep);
    }
  }
  if (!interrupted() && open_count > 0) {
    open_ = open_loop_cells(spec_, capacities());
    for (int rep = 0; rep < spec_.repetitions && !interrupted(); ++rep) {
      for (size_t k = 0; k < open_.size() && !interrupted(); ++k) {
        const size_t i = at(k, open_.size(), rep);
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
  if (interrupted()) return 128 + *signal_;
  return failed_runs_ > 0 ? 1 : 0;
}

std::string MatrixRunner::name_for(const CellSpec& c, const std::string& mode) const {
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

std::string MatrixRunner::planned_mode(const CellSpec& c) const {
  const ServerSpec& s = spec_.servers[c.server];
  if (!s.mode.empty()) return s.mode;
  auto it = reported_modes_.find(c.server);
  return it != reported_modes_.end() ? it->second : "default";
}

void MatrixRunner::progress(int rep, const std::string& name) {
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
}

void MatrixRunner::add(json entry, const std::string& name, size_t cell_index, int rep,
                       const std::string& raw) {
  rename_entry(entry, name, rep, spec_.repetitions, static_cast<int>(cell_index));
  entry["iomb"]["matrix"] = {{"cell", cell_index}, {"order", entries_.size()}, {"raw", raw}};
  cell_of_entry_.push_back(cell_index);
  entries_.push_back(std::move(entry));
  write();
}

void MatrixRunner::skip_cell(const CellSpec& c, size_t cell_index, int rep,
                             const std::string& why) {
  // One skipped entry per cell; the later repetitions would say the same.
  total_estimate_ -= estimate_run(c) * (spec_.repetitions - rep);
  skipped_cells_.insert(cell_index);
  std::string name = name_for(c, planned_mode(c));
  std::fprintf(stderr, "iomb matrix: %s skipped: %s\n", name.c_str(), why.c_str());
  add(skipped_entry(name, rep, spec_.repetitions, why), name, cell_index, rep, "");
}

void MatrixRunner::run_cell(const CellSpec& c, size_t cell_index, int rep) {
  if (skipped_cells_.count(cell_index)) return;
  if (!c.skip_reason.empty()) return skip_cell(c, cell_index, rep, c.skip_reason);
  const ServerSpec& server = spec_.servers[c.server];
  const std::string binary = harness::resolve_server_binary(server.model);
  if (::access(binary.c_str(), X_OK) != 0) {
    return skip_cell(c, cell_index, rep, "not built: no executable " + binary);
  }
  const std::string planned = name_for(c, planned_mode(c));
  progress(rep, planned);
  char stem[32];
  std::snprintf(stem, sizeof stem, "%04zu-", run_counter_++);
  const std::string raw = std::string("raw/") + stem + slug(planned);
  const std::string json_path = out_ + "/" + raw + ".json";
  const bool count = spec_.count_syscalls && rep == 0;
  std::vector<std::string> argv{iomb_path_, "run", "--server", server.model};
  if (!server.args.empty()) argv.insert(argv.end(), {"--server-args", server.args});
  if (server.client != "iomb") argv.insert(argv.end(), {"--client", server.client});
  argv.insert(argv.end(), {"--protocol", c.protocol, "--connections", std::to_string(c.connections),
                           "--pipeline", std::to_string(c.pipeline), "--size",
                           std::to_string(c.size), "--duration", ms_flag(c.duration), "--warmup",
                           ms_flag(c.warmup), "--threads", std::to_string(spec_.threads),
                           "--repetitions", "1", "--quiet", "--json", json_path});
  if (c.protocol == "http" && spec_.path != "/") argv.insert(argv.end(), {"--path", spec_.path});
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
  if (!child.wait(signal_)) {
    child.stop();  // the server goes with it; this run's numbers are dropped
    return;
  }
  done_actual_ += Clock::now() - t0;
  done_estimate_ += estimate_run(c);
  RunEntry r = read_run_entry(json_path, child.exit_code(),
                              process::tail_lines(read_text(out_ + "/" + raw + ".log"), 3));
  if (!r.reported_mode.empty() && server.mode.empty()) reported_modes_[c.server] = r.reported_mode;
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

Capacities MatrixRunner::capacities() const {
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

void MatrixRunner::write() {
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
  std::filesystem::rename(path + ".tmp", path);
}
}  // namespace iomb::matrix
