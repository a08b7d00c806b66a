#include "harness/compare/result_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace iomb::compare {
namespace {

nlohmann::json iteration(const std::string& name, double ips, double p99, double cpu,
                         const std::string& unit = "ns") {
  return {{"name", name},       {"run_name", name},        {"run_type", "iteration"},
          {"iterations", 1000}, {"real_time", 1e9 / ips},  {"cpu_time", cpu},
          {"time_unit", unit},  {"items_per_second", ips}, {"p99_us", p99}};
}

TEST(ParseResultJson, GroupsRepetitionsByRunName) {
  nlohmann::json json = {{"context", {{"num_cpus", 2}}},
                         {"benchmarks",
                          {iteration("echo/bio:thread/c:1/d:1/s:64", 100, 10, 5000),
                           iteration("echo/bio:thread/c:1/d:1/s:64", 110, 11, 5100),
                           {{"name", "echo/bio:thread/c:1/d:1/s:64_mean"},
                            {"run_name", "echo/bio:thread/c:1/d:1/s:64"},
                            {"run_type", "aggregate"},
                            {"aggregate_name", "mean"},
                            {"real_time", 1.0},
                            {"cpu_time", 1.0},
                            {"time_unit", "ns"}},
                           iteration("echo/nio:reactor/c:1/d:1/s:64", 200, 5, 4, "us")}}};
  ResultFile file = parse_result_json(json, "test");
  ASSERT_EQ(file.benchmarks.size(), 2u);
  const auto& bio = file.benchmarks[0];
  EXPECT_EQ(bio.name, "echo/bio:thread/c:1/d:1/s:64");
  EXPECT_EQ(bio.throughput, (std::vector<double>{100, 110}));
  EXPECT_EQ(bio.p99_us, (std::vector<double>{10, 11}));
  EXPECT_EQ(bio.cpu_ns, (std::vector<double>{5000, 5100}));
  EXPECT_FALSE(bio.from_aggregate);
  EXPECT_EQ(file.benchmarks[1].cpu_ns, (std::vector<double>{4000}));  // 4 us
}

TEST(ParseResultJson, PlainGoogleBenchmarkOutput) {
  // No items_per_second, no p99: throughput from real_time, and no p99 samples.
  nlohmann::json json = {{"benchmarks",
                          {{{"name", "BM_x/8"},
                            {"run_type", "iteration"},
                            {"real_time", 2.0},
                            {"cpu_time", 1.5},
                            {"time_unit", "ms"}},
                           {{"name", "BM_failed"}, {"error_occurred", true}}}}};
  ResultFile file = parse_result_json(json, "gb");
  ASSERT_EQ(file.benchmarks.size(), 1u);
  EXPECT_EQ(file.benchmarks[0].name, "BM_x/8");
  EXPECT_DOUBLE_EQ(file.benchmarks[0].throughput.at(0), 500);  // 1 / 2 ms
  EXPECT_DOUBLE_EQ(file.benchmarks[0].cpu_ns.at(0), 1.5e6);
  EXPECT_TRUE(file.benchmarks[0].p99_us.empty());
}

TEST(ParseResultJson, AggregatesOnlyGiveOneSampleFromTheMedian) {
  nlohmann::json json = {{"benchmarks",
                          {{{"name", "BM_y_mean"},
                            {"run_type", "aggregate"},
                            {"aggregate_name", "mean"},
                            {"real_time", 4.0},
                            {"cpu_time", 4.0},
                            {"time_unit", "ns"}},
                           {{"name", "BM_y_median"},
                            {"run_type", "aggregate"},
                            {"aggregate_name", "median"},
                            {"real_time", 2.0},
                            {"cpu_time", 2.0},
                            {"time_unit", "ns"}}}}};
  ResultFile file = parse_result_json(json, "agg");
  ASSERT_EQ(file.benchmarks.size(), 1u);
  EXPECT_EQ(file.benchmarks[0].name, "BM_y");
  EXPECT_TRUE(file.benchmarks[0].from_aggregate);
  EXPECT_EQ(file.benchmarks[0].cpu_ns, (std::vector<double>{2.0}));
}

TEST(ParseResultJson, RejectsWhatIsNotAResult) {
  EXPECT_THROW(parse_result_json(nlohmann::json::array(), "x"), std::runtime_error);
  EXPECT_THROW(parse_result_json({{"benchmarks", 3}}, "x"), std::runtime_error);
  EXPECT_THROW(parse_result_json({{"benchmarks", {{{"real_time", 1}}}}}, "x"), std::runtime_error);
  EXPECT_THROW(parse_result_json({{"benchmarks", {{{"name", "a"}, {"time_unit", "parsec"}}}}}, "x"),
               std::runtime_error);
}

TEST(LoadResultFile, ReadsAFileAndNamesBadOnes) {
  char path[] = "/tmp/iomb-compare-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(path);
    out << nlohmann::json{{"benchmarks", {iteration("a", 1, 1, 1)}}}.dump();
  }
  EXPECT_EQ(load_result_file(path).benchmarks.size(), 1u);
  {
    std::ofstream out(path);
    out << "{ not json";
  }
  try {
    load_result_file(path);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  std::remove(path);
  EXPECT_THROW(load_result_file("/nonexistent/iomb.json"), std::runtime_error);
}

TEST(ParseResultJson, ReadsCountsAndTheBaselinesTolerances) {
  nlohmann::json row = iteration("a", 100, 50, 4000);
  row["syscalls_per_req"] = 2.95;
  row["ctx_switches_per_req"] = 1.01;
  nlohmann::json json = {{"context", {{"gate", {{"tolerance", {{"syscalls/req", 0.05}}}}}}},
                         {"benchmarks", {row}}};
  ResultFile file = parse_result_json(json, "baseline");
  ASSERT_EQ(file.benchmarks.size(), 1u);
  EXPECT_EQ(file.benchmarks[0].syscalls_per_req, std::vector<double>{2.95});
  EXPECT_EQ(file.benchmarks[0].ctx_switches_per_req, std::vector<double>{1.01});
  EXPECT_EQ(file.count_tolerance.at("syscalls/req"), 0.05);
  json["context"]["gate"]["tolerance"]["syscalls/req"] = 5;  // a percentage is not a fraction
  EXPECT_THROW(parse_result_json(json, "baseline"), std::runtime_error);
}

TEST(ParseResultJson, ARowWithOnlyCountsIsKept) {
  nlohmann::json json = {{"benchmarks", {{{"name", "a"}, {"syscalls_per_req", 2.0}}}}};
  ResultFile file = parse_result_json(json, "counts");
  ASSERT_EQ(file.benchmarks.size(), 1u);
  EXPECT_EQ(file.benchmarks[0].syscalls_per_req, std::vector<double>{2.0});
}

}  // namespace
}  // namespace iomb::compare
