#include "harness/export/export_formats.h"

#include <gtest/gtest.h>

#include <string>

#include "harness/result/benchmark_measures.h"

namespace iomb::exports {
namespace {

const char kName[] = "http/nio:epoll/c:100/d:1/s:64";

nlohmann::json repetition(int index, double ips, double p99, double cpu_ns, double syscalls) {
  return {{"name", kName},
          {"run_name", kName},
          {"run_type", "iteration"},
          {"repetition_index", index},
          {"iterations", 1000},
          {"real_time", 1e9 / ips},
          {"cpu_time", cpu_ns},
          {"time_unit", "ns"},
          {"items_per_second", ips},
          {"p50_us", p99 / 4},
          {"p99_us", p99},
          {"errors", 0},
          {"syscalls_per_req", syscalls},
          {"ctx_switches_per_req", 0.5},
          {"client_cpu_ns_per_req", 900},
          {"server_threads", 4}};
}

// Three repetitions (throughput 90..110 k/s, p99 10..12 us, CPU 4..6 us per request), their
// median aggregate (ignored: iteration rows exist) and a failed row (ignored).
std::vector<result::BenchmarkMeasures> measures() {
  result::ResultDocument doc;
  doc.benchmarks = {repetition(0, 100000, 11, 5000, 2.0),
                    repetition(1, 90000, 12, 6000, 2.2),
                    repetition(2, 110000, 10, 4000, 1.9),
                    {{"name", std::string(kName) + "_median"},
                     {"run_name", kName},
                     {"run_type", "aggregate"},
                     {"aggregate_name", "median"},
                     {"items_per_second", 1},
                     {"cpu_time", 1},
                     {"time_unit", "ns"}},
                    {{"name", "echo/bio:thread/c:1/d:1/s:64"},
                     {"error_occurred", true},
                     {"items_per_second", 5}}};
  return result::benchmark_measures(doc, "test");
}

TEST(ExportBencher, EveryMeasureWithMedianMinAndMax) {
  const nlohmann::json bmf = bencher_metric_format(measures());
  ASSERT_EQ(bmf.size(), 1u) << bmf.dump(2);  // the failed row is left out
  ASSERT_TRUE(bmf.contains(kName));
  const nlohmann::json& b = bmf[kName];
  EXPECT_EQ(
      b["throughput"],
      (nlohmann::json{{"value", 100000.0}, {"lower_value", 90000.0}, {"upper_value", 110000.0}}));
  EXPECT_EQ(b["p99_us"],
            (nlohmann::json{{"value", 11.0}, {"lower_value", 10.0}, {"upper_value", 12.0}}));
  EXPECT_EQ(b["cpu_ns_per_req"],
            (nlohmann::json{{"value", 5000.0}, {"lower_value", 4000.0}, {"upper_value", 6000.0}}));
  EXPECT_DOUBLE_EQ(b["syscalls_per_req"]["value"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(b["syscalls_per_req"]["lower_value"].get<double>(), 1.9);
  EXPECT_DOUBLE_EQ(b["syscalls_per_req"]["upper_value"].get<double>(), 2.2);
  EXPECT_DOUBLE_EQ(b["p50_us"]["value"].get<double>(), 2.75);
  EXPECT_DOUBLE_EQ(b["errors"]["value"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(b["ctx_switches_per_req"]["value"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(b["client_cpu_ns_per_req"]["value"].get<double>(), 900);
  EXPECT_DOUBLE_EQ(b["server_threads"]["value"].get<double>(), 4);
  EXPECT_EQ(b.size(), 9u) << b.dump(2);  // exactly the measures the rows carry
  EXPECT_FALSE(b.contains("p999_us"));
}

const nlohmann::json* entry(const nlohmann::json& list, const std::string& name) {
  for (const auto& e : list) {
    if (e["name"] == name) return &e;
  }
  return nullptr;
}

TEST(ExportGab, SmallerIsBetterHasLatencyCostAndErrorsNotThroughput) {
  const nlohmann::json list = github_action_benchmark_format(measures(), GabTool::kSmallerIsBetter);
  ASSERT_TRUE(list.is_array());
  const nlohmann::json* p99 = entry(list, std::string(kName) + " p99_us");
  ASSERT_NE(p99, nullptr) << list.dump(2);
  EXPECT_EQ((*p99)["unit"], "us");
  EXPECT_DOUBLE_EQ((*p99)["value"].get<double>(), 11);
  EXPECT_EQ((*p99)["range"], "± 1");
  EXPECT_EQ((*p99)["extra"], "median of 3 repetition(s), min 10, max 12");
  const nlohmann::json* cpu = entry(list, std::string(kName) + " cpu_ns_per_req");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ((*cpu)["unit"], "ns/req");
  EXPECT_DOUBLE_EQ((*cpu)["value"].get<double>(), 5000);
  EXPECT_NE(entry(list, std::string(kName) + " syscalls_per_req"), nullptr);
  EXPECT_NE(entry(list, std::string(kName) + " ctx_switches_per_req"), nullptr);
  EXPECT_NE(entry(list, std::string(kName) + " errors"), nullptr);
  EXPECT_EQ(entry(list, std::string(kName) + " throughput"), nullptr);
  EXPECT_EQ(entry(list, std::string(kName) + " server_threads"), nullptr);  // no direction
  for (const auto& e : list) {
    EXPECT_TRUE(e["name"].is_string() && e["unit"].is_string() && e["value"].is_number());
  }
}

TEST(ExportGab, BiggerIsBetterHasThroughputOnly) {
  const nlohmann::json list = github_action_benchmark_format(measures(), GabTool::kBiggerIsBetter);
  ASSERT_EQ(list.size(), 1u) << list.dump(2);
  EXPECT_EQ(list[0]["name"], std::string(kName) + " throughput");
  EXPECT_EQ(list[0]["unit"], "req/s");
  EXPECT_DOUBLE_EQ(list[0]["value"].get<double>(), 100000);
  EXPECT_EQ(list[0]["range"], "± 10000");
  EXPECT_EQ(list[0]["extra"], "median of 3 repetition(s), min 90000, max 110000");
}

TEST(ExportMeasures, AggregateOnlyFilesAndUnusableRows) {
  result::ResultDocument doc;
  doc.benchmarks = {{{"name", "a_median"},
                     {"run_type", "aggregate"},
                     {"aggregate_name", "median"},
                     {"items_per_second", 42},
                     {"time_unit", "us"},
                     {"cpu_time", 3}},
                    {{"name", "b"},
                     {"run_type", "iteration"},
                     {"items_per_second", 7},
                     {"iomb", {{"valid", false}}}},
                    {{"name", "c"}, {"run_type", "iteration"}, {"skipped", true}}};
  const auto benchmarks = result::benchmark_measures(doc, "test");
  ASSERT_EQ(benchmarks.size(), 1u);
  EXPECT_EQ(benchmarks[0].name, "a");
  EXPECT_TRUE(benchmarks[0].from_aggregate);
  ASSERT_NE(benchmarks[0].find("cpu_ns_per_req"), nullptr);
  EXPECT_DOUBLE_EQ(benchmarks[0].find("cpu_ns_per_req")->values[0], 3000);  // us -> ns
  EXPECT_DOUBLE_EQ(benchmarks[0].find("throughput")->values[0], 42);
  const nlohmann::json list = github_action_benchmark_format(benchmarks, GabTool::kBiggerIsBetter);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].contains("range"));  // one value: no spread to report
  EXPECT_EQ(list[0]["extra"], "from the median aggregate, min 42, max 42");
}

}  // namespace
}  // namespace iomb::exports
