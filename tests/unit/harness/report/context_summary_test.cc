// describe_context and floor_for_size: well-known keys first, "not recorded" when missing,
// the floor nearest in size, unavailable floors said as such.
#include "harness/report/context_summary.h"

#include <gtest/gtest.h>

#include "harness/result/floor_lookup.h"

namespace iomb::report {
namespace {

using nlohmann::json;

std::string value_of(const std::vector<std::pair<std::string, std::string>>& lines,
                     const std::string& label) {
  for (const auto& [l, v] : lines) {
    if (l == label) return v;
  }
  return "<absent>";
}

TEST(ContextSummary, KnownKeysFirstThenTheRestWithoutCaches) {
  json ctx = {{"host_name", "h"},
              {"zeta", 1},
              {"caches", json::array({1, 2})},
              {"cpu_pinning", {{"pinned", false}, {"note", "1 CPU"}}},
              {"library_build_type", "debug"}};
  auto lines = describe_context(ctx);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), std::make_pair(std::string("Machine"), std::string("h")));
  EXPECT_EQ(value_of(lines, "Kernel"), "not recorded");
  EXPECT_EQ(value_of(lines, "Pinning"), "not pinned (1 CPU)");
  EXPECT_EQ(value_of(lines, "Build"), "debug");
  EXPECT_EQ(value_of(lines, "zeta"), "1");
  EXPECT_EQ(value_of(lines, "caches"), "<absent>");
  EXPECT_EQ(value_of(lines, "library_build_type"), "<absent>") << "shown once, as Build";
}

TEST(ContextSummary, FloorUnavailableIsSaid) {
  auto lines = describe_context({{"floor", {{"unavailable", "iomb-floor not built"}}}});
  EXPECT_EQ(value_of(lines, "Floor"), "unavailable: iomb-floor not built");
}

TEST(FloorLookup, NearestSizeOnALogScale) {
  json ctx = {{"floor",
               {{"recv_send_64B_ns", 4000},
                {"recv_send_4KiB_ns", 8000},
                {"recv_send_64_ns", "not a number"},
                {"source", "x"}}}};
  EXPECT_EQ(result::floor_values(ctx).size(), 2u);
  EXPECT_DOUBLE_EQ(*result::floor_for_size(ctx, 64), 4000);
  EXPECT_DOUBLE_EQ(*result::floor_for_size(ctx, 256), 4000);
  EXPECT_DOUBLE_EQ(*result::floor_for_size(ctx, 1024), 8000);
  EXPECT_DOUBLE_EQ(*result::floor_for_size(ctx, 65536), 8000);
  EXPECT_DOUBLE_EQ(*result::floor_for_size({{"floor", 4200.0}}, 4096), 4200);
  EXPECT_DOUBLE_EQ(*result::floor_for_size({{"floor", {{"recv_send_64_ns", 4100}}}}, 64), 4100);
  EXPECT_FALSE(result::floor_for_size({{"floor", {{"unavailable", "no"}}}}, 64));
  EXPECT_FALSE(result::floor_for_size(json::object(), 64));
}

}  // namespace
}  // namespace iomb::report
