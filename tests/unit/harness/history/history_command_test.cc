#include "harness/history/history_command.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/history/history_analysis.h"
#include "harness/history/history_series.h"

namespace iomb::harness {
namespace {

const char kBench[] = "echo/bio:thread/c:10/d:1/s:64";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "iomb-history-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A 40-hex-digit sha that names commit `i` in its first 12 digits (what tables show).
std::string sha(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02dc0ffee", i);
  return buf + std::string(40 - std::strlen(buf), 'a');
}

// Result file `i` of a history: three repetitions of one benchmark with this server CPU per
// request (ns), steady throughput and p99; small differences between repetitions and files.
std::string write_result(const std::string& dir, int i, double cpu_ns, bool with_sha = true) {
  nlohmann::json rows = nlohmann::json::array();
  for (int rep = 0; rep < 3; ++rep) {
    const double wobble = 1 + 0.004 * ((i * 3 + rep) % 5 - 2);  // within ±0.8 %
    rows.push_back({{"name", kBench},
                    {"run_name", kBench},
                    {"run_type", "iteration"},
                    {"repetition_index", rep},
                    {"iterations", 100000},
                    {"real_time", 1e9 / (50000 * wobble)},
                    {"cpu_time", cpu_ns * wobble},
                    {"time_unit", "ns"},
                    {"items_per_second", 50000 * wobble},
                    {"p99_us", 200 * wobble},
                    {"syscalls_per_req", 2.0}});
  }
  nlohmann::json context = {{"host_name", "test"}};
  if (with_sha) context["git_sha"] = sha(i);
  const std::string path = dir + "/result-" + std::to_string(i) + ".json";
  std::ofstream(path) << nlohmann::json{{"context", context}, {"benchmarks", rows}}.dump();
  return path;
}

// Six results at `before` ns of CPU per request, then six at `after`.
std::vector<std::string> step_history(const std::string& dir, double before, double after) {
  std::vector<std::string> files;
  for (int i = 0; i < 12; ++i) files.push_back(write_result(dir, i, i < 6 ? before : after));
  return files;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(HistoryCommand, NamesTheFirstCommitOfACpuRegression) {
  TempDir dir;
  HistoryCommandOptions options;
  options.results = step_history(dir.path(), 5000, 6000);
  options.json = dir.path() + "/history.json";
  options.markdown = dir.path() + "/history.md";
  EXPECT_EQ(run_history_command(options), 0);  // reports, does not gate
  const nlohmann::json report = read_json(options.json);
  ASSERT_EQ(report["change_points"].size(), 1u) << report.dump(2);
  const nlohmann::json& change = report["change_points"][0];
  EXPECT_EQ(change["benchmark"], kBench);
  EXPECT_EQ(change["metric"], "cpu/req");
  EXPECT_EQ(change["index"], 6);
  EXPECT_EQ(change["commit"], sha(6));
  EXPECT_NEAR(change["before"].get<double>(), 5000, 50);
  EXPECT_NEAR(change["after"].get<double>(), 6000, 60);
  EXPECT_NEAR(change["change"].get<double>(), 0.2, 0.02);
  EXPECT_TRUE(change["regression"].get<bool>());
  EXPECT_TRUE(change["latest"].get<bool>());
  EXPECT_LE(change["p_value"].get<double>(), 0.05);
  EXPECT_TRUE(report["latest_change_is_regression"].get<bool>());

  std::ifstream md(options.markdown);
  const std::string markdown((std::istreambuf_iterator<char>(md)), {});
  EXPECT_NE(
      markdown.find("| `" + std::string(kBench) + "` | cpu/req | #6 | `" + sha(6).substr(0, 12)),
      std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("**regressed (latest)**"), std::string::npos) << markdown;

  options.fail_on_regression = true;
  EXPECT_EQ(run_history_command(options), 1);
}

TEST(HistoryCommand, AnImprovementDoesNotFail) {
  TempDir dir;
  HistoryCommandOptions options;
  options.results = step_history(dir.path(), 6000, 5000);
  options.json = dir.path() + "/history.json";
  options.fail_on_regression = true;
  EXPECT_EQ(run_history_command(options), 0);
  const nlohmann::json report = read_json(options.json);
  ASSERT_EQ(report["change_points"].size(), 1u);
  EXPECT_FALSE(report["change_points"][0]["regression"].get<bool>());
}

TEST(HistoryCommand, AnUnchangedHistoryHasNoChangePoint) {
  TempDir dir;
  HistoryCommandOptions options;
  options.results = step_history(dir.path(), 5000, 5000);
  options.json = dir.path() + "/history.json";
  options.fail_on_regression = true;
  EXPECT_EQ(run_history_command(options), 0);
  EXPECT_TRUE(read_json(options.json)["change_points"].empty());
}

TEST(HistoryCommand, RefusesTooFewOrUnreadableResults) {
  TempDir dir;
  HistoryCommandOptions options;
  options.results = {write_result(dir.path(), 0, 5000), write_result(dir.path(), 1, 5000)};
  EXPECT_EQ(run_history_command(options), 2);
  options.results.push_back(dir.path() + "/missing.json");
  EXPECT_EQ(run_history_command(options), 2);
  options.results.back() = dir.path() + "/garbage.json";
  std::ofstream(options.results.back()) << "not json";
  EXPECT_EQ(run_history_command(options), 2);
}

TEST(HistorySeries, OneSeriesPerTrackedMetricAndTheFileNameWithoutASha) {
  TempDir dir;
  std::vector<std::string> files;
  for (int i = 0; i < 3; ++i) files.push_back(write_result(dir.path(), i, 5000, false));
  const history::HistoryInput input = history::load_history(files);
  ASSERT_EQ(input.results.size(), 3u);
  EXPECT_EQ(input.results[1].commit, "result-1.json");
  std::vector<std::string> metrics;
  for (const auto& s : input.series) {
    EXPECT_EQ(s.benchmark, kBench);
    EXPECT_EQ(s.medians.size(), 3u);
    metrics.push_back(s.measure->label);
  }
  EXPECT_EQ(metrics, (std::vector<std::string>{"throughput", "p99", "cpu/req", "syscalls/req"}));
  EXPECT_EQ(history::commit_of({{"git_sha", "unknown"}}, "/a/b.json"), "b.json");
  EXPECT_EQ(history::commit_of({{"git_sha", "abc"}}, "/a/b.json"), "abc");
}

}  // namespace
}  // namespace iomb::harness

namespace iomb::history {
namespace {

// One throughput series: six results at 1000 req/s, then six at `after`.
HistoryInput throughput_history(double after) {
  HistoryInput input;
  MetricSeries series{"b", result::find_measure("throughput"), {}, {}};
  for (size_t i = 0; i < 12; ++i) {
    input.results.push_back({"r" + std::to_string(i), "c" + std::to_string(i)});
    series.results.push_back(i);
    series.medians.push_back((i < 6 ? 1000 : after) + (i % 3));
  }
  input.series.push_back(series);
  return input;
}

TEST(HistoryAnalysis, LowerThroughputIsARegressionHigherIsNot) {
  const HistoryReport lower = analyse_history(throughput_history(800), EDivisiveOptions{});
  ASSERT_EQ(lower.changes.size(), 1u);
  EXPECT_EQ(lower.changes[0].commit, "c6");
  EXPECT_NEAR(lower.changes[0].change, -0.2, 0.01);
  EXPECT_TRUE(lower.changes[0].regression);
  EXPECT_TRUE(latest_change_is_regression(lower));
  const HistoryReport higher = analyse_history(throughput_history(1200), EDivisiveOptions{});
  ASSERT_EQ(higher.changes.size(), 1u);
  EXPECT_FALSE(higher.changes[0].regression);
  EXPECT_FALSE(latest_change_is_regression(higher));
}

}  // namespace
}  // namespace iomb::history
