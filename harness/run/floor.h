// This machine's floor (DESIGN §4.6): the cost of one loopback TCP recv+send pair at 64 B and
// 4 KiB, measured by the Google Benchmark binary iomb-floor (bench/) at 100 connections. The
// harness records it in the result context and divides each server's CPU per request by it.
// Any thread (measure_floor blocks for about two seconds while iomb-floor runs).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace iomb::harness {

struct Floor {
  double recv_send_64_ns = 0;  // ns per message: one recv + one send of 64 B on a server end
  double recv_send_4k_ns = 0;  // the same at 4 KiB
  std::string source;          // how it was obtained (binary run or cached file)
};

// The iomb-floor benchmarks measure_floor needs, as a --benchmark_filter regex.
inline constexpr char kFloorBenchmarkFilter[] = "^BM_LoopbackRecvSend/conns:100/size:(64|4096)/";

// Runs `bench_binary --benchmark_filter=... --benchmark_min_time=0.2 --benchmark_format=json`
// and parses its output; a path ending in ".json" is read instead as a cached output of such a
// run. Returns nullopt with *why set when the binary is missing, fails, or lacks the rows.
std::optional<Floor> measure_floor(const std::string& bench_binary, std::string* why);

// Extracts the floor from Google Benchmark JSON output (per message = 1 / items_per_second;
// the median over repetitions when there are several). Returns nullopt with *why otherwise.
std::optional<Floor> parse_floor_json(const nlohmann::json& output, std::string* why);

// {"recv_send_64B_ns": ..., "recv_send_4KiB_ns": ..., "source": ...} for the result context.
nlohmann::json floor_to_json(const Floor& floor);

}  // namespace iomb::harness
