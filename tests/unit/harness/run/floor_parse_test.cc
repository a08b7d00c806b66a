#include <gtest/gtest.h>

#include "harness/run/floor.h"

namespace iomb::harness {
namespace {

nlohmann::json row(const std::string& name, double items_per_second,
                   const std::string& run_type = "iteration") {
  return {{"name", name},
          {"run_type", run_type},
          {"items_per_second", items_per_second},
          {"real_time", 1.0},
          {"time_unit", "ns"}};
}

TEST(ParseFloorJson, PerMessageNanosecondsFromItemsPerSecond) {
  nlohmann::json output = {{"context", {{"num_cpus", 2}}},
                           {"benchmarks",
                            {row("BM_LoopbackRecvSend/conns:1/size:64/manual_time", 1e6),
                             row("BM_LoopbackRecvSend/conns:100/size:64/manual_time", 250000.0),
                             row("BM_LoopbackRecvSend/conns:100/size:4096/manual_time", 200000.0),
                             row("BM_LoopbackRecvSend/conns:100/size:640/manual_time", 1.0)}}};
  std::string why;
  auto floor = parse_floor_json(output, &why);
  ASSERT_TRUE(floor.has_value()) << why;
  EXPECT_DOUBLE_EQ(floor->recv_send_64_ns, 4000.0);
  EXPECT_DOUBLE_EQ(floor->recv_send_4k_ns, 5000.0);
}

TEST(ParseFloorJson, MedianOverRepetitionsIgnoringAggregates) {
  nlohmann::json output = {
      {"benchmarks",
       {row("BM_LoopbackRecvSend/conns:100/size:64/manual_time", 1e6),
        row("BM_LoopbackRecvSend/conns:100/size:64/manual_time", 5e5),
        row("BM_LoopbackRecvSend/conns:100/size:64/manual_time", 2.5e5),
        row("BM_LoopbackRecvSend/conns:100/size:64/manual_time_mean", 1.0, "aggregate"),
        row("BM_LoopbackRecvSend/conns:100/size:4096", 1e5)}}};
  auto floor = parse_floor_json(output, nullptr);
  ASSERT_TRUE(floor.has_value());
  EXPECT_DOUBLE_EQ(floor->recv_send_64_ns, 2000.0);
  EXPECT_DOUBLE_EQ(floor->recv_send_4k_ns, 10000.0);
}

TEST(ParseFloorJson, MissingRowsOrBadInputExplainWhy) {
  std::string why;
  EXPECT_FALSE(parse_floor_json(nlohmann::json::array(), &why).has_value());
  EXPECT_FALSE(why.empty());
  why.clear();
  nlohmann::json only_small = {
      {"benchmarks", {row("BM_LoopbackRecvSend/conns:100/size:64/manual_time", 1e6)}}};
  EXPECT_FALSE(parse_floor_json(only_small, &why).has_value());
  EXPECT_NE(why.find("4096"), std::string::npos) << why;
  nlohmann::json errored = {
      {"benchmarks",
       {{{"name", "BM_LoopbackRecvSend/conns:100/size:64"}, {"error_occurred", true}},
        row("BM_LoopbackRecvSend/conns:100/size:4096", 1e5)}}};
  EXPECT_FALSE(parse_floor_json(errored, &why).has_value());
}

TEST(MeasureFloor, ExplainsAMissingBinaryOrFile) {
  std::string why;
  EXPECT_FALSE(measure_floor("/nonexistent/iomb-floor", &why).has_value());
  EXPECT_NE(why.find("/nonexistent/iomb-floor"), std::string::npos) << why;
  why.clear();
  EXPECT_FALSE(measure_floor("/nonexistent/floor.json", &why).has_value());
  EXPECT_FALSE(why.empty());
}

TEST(FloorToJson, NamesTheFields) {
  Floor floor{4200.5, 5100.25, "test"};
  nlohmann::json json = floor_to_json(floor);
  EXPECT_DOUBLE_EQ(json["recv_send_64B_ns"].get<double>(), 4200.5);
  EXPECT_DOUBLE_EQ(json["recv_send_4KiB_ns"].get<double>(), 5100.25);
  EXPECT_EQ(json["source"], "test");
}

}  // namespace
}  // namespace iomb::harness
