// Implementation of floor.h.
#include "harness/run/floor.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <system_error>
#include <vector>

#include "harness/process/child_process.h"
#include "harness/sampling/proc_files.h"

namespace iomb::harness {
namespace {

using process::ChildProcess;
using process::describe_wait_status;
using process::tail_lines;

constexpr char kPrefix[] = "BM_LoopbackRecvSend/conns:100/size:";
constexpr auto kRunTimeout = std::chrono::seconds(120);

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Whether name is the benchmark for `size` ("...size:64" or "...size:64/manual_time").
bool is_floor_row(const std::string& name, const std::string& size) {
  const std::string head = kPrefix + size;
  return name.rfind(head, 0) == 0 && (name.size() == head.size() || name[head.size()] == '/');
}

std::optional<double> ns_per_message(const nlohmann::json& benchmarks, const std::string& size) {
  std::vector<double> samples;
  for (const auto& row : benchmarks) {
    if (!row.is_object() || !is_floor_row(row.value("name", ""), size)) continue;
    if (row.value("run_type", "iteration") != "iteration") continue;
    if (row.contains("error_occurred") && row["error_occurred"].is_boolean() &&
        row["error_occurred"].get<bool>()) {
      continue;
    }
    auto rate = row.find("items_per_second");
    if (rate == row.end() || !rate->is_number() || rate->get<double>() <= 0) continue;
    samples.push_back(1e9 / rate->get<double>());
  }
  if (samples.empty()) return std::nullopt;
  std::sort(samples.begin(), samples.end());
  size_t mid = samples.size() / 2;
  return samples.size() % 2 == 1 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
}

}  // namespace

std::optional<Floor> parse_floor_json(const nlohmann::json& output, std::string* why) {
  auto fail = [why](const std::string& reason) -> std::optional<Floor> {
    if (why != nullptr) *why = reason;
    return std::nullopt;
  };
  if (!output.is_object() || !output.contains("benchmarks") || !output["benchmarks"].is_array()) {
    return fail("not Google Benchmark JSON (no benchmarks array)");
  }
  const auto& rows = output["benchmarks"];
  auto small = ns_per_message(rows, "64");
  auto large = ns_per_message(rows, "4096");
  if (!small || !large) {
    return fail(std::string("no usable ") + kPrefix + (small ? "4096" : "64") +
                " row with items_per_second");
  }
  Floor floor;
  floor.recv_send_64_ns = *small;
  floor.recv_send_4k_ns = *large;
  return floor;
}

std::optional<Floor> measure_floor(const std::string& bench_binary, std::string* why) {
  auto fail = [why](const std::string& reason) -> std::optional<Floor> {
    if (why != nullptr) *why = reason;
    return std::nullopt;
  };
  std::string text;
  std::string source;
  if (ends_with(bench_binary, ".json")) {
    auto file = sampling::read_small_file(bench_binary);
    if (!file) return fail("cannot read floor file " + bench_binary);
    text = *file;
    source = "file " + bench_binary;
  } else {
    if (access(bench_binary.c_str(), X_OK) != 0) {
      return fail(bench_binary + " is not an executable (build with IOMB_BUILD_BENCHMARKS=ON)");
    }
    try {
      ChildProcess run = ChildProcess::spawn(
          {bench_binary, std::string("--benchmark_filter=") + kFloorBenchmarkFilter,
           "--benchmark_min_time=0.2", "--benchmark_format=json"});
      auto status = run.wait_for(kRunTimeout);
      if (!status) {
        run.wait_or_kill(std::chrono::milliseconds(0));
        return fail(bench_binary + " did not finish within 120 s");
      }
      if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
        return fail(bench_binary + " " + describe_wait_status(*status) + ": " +
                    tail_lines(run.stderr_text(), 3));
      }
      text = run.stdout_text();
    } catch (const std::system_error& e) {
      return fail(e.what());
    }
    source = bench_binary + " (min_time 0.2 s, 100 connections)";
  }
  nlohmann::json output = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (output.is_discarded()) return fail("floor output of " + source + " is not JSON");
  auto floor = parse_floor_json(output, why);
  if (floor) floor->source = source;
  return floor;
}

nlohmann::json floor_to_json(const Floor& floor) {
  return {{"recv_send_64B_ns", floor.recv_send_64_ns},
          {"recv_send_4KiB_ns", floor.recv_send_4k_ns},
          {"source", floor.source}};
}

}  // namespace iomb::harness
