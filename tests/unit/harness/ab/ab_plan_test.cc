#include "harness/ab/ab_plan.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <tuple>

#include "harness/matrix/matrix_plan.h"

namespace iomb::ab {
namespace {

constexpr char kTwoServers[] = R"(
name = "pair"
connections = [1, 100]
[[server]]
model = "bio"
mode = "thread-per-conn"
[[server]]
model = "nio"
args = "--threads 1"
[[sweep]]
servers = ["nio"]
sizes = [4096]
[[sweep]]
servers = ["bio:thread-per-conn", "nio:default"]
)";

TEST(AbMatrix, DoublesEveryServerBaseThenCandidate) {
  const auto spec = matrix::parse_matrix_toml(kTwoServers, "test");
  const auto ab = ab_matrix(spec, "/b/bin/", "/c/bin");
  EXPECT_EQ(ab.name, "ab-pair");
  ASSERT_EQ(ab.servers.size(), 4u);
  EXPECT_EQ(ab.servers[0].model, "/b/bin/iomb-bio");
  EXPECT_EQ(ab.servers[0].mode, "thread-per-conn@base");
  EXPECT_EQ(ab.servers[1].model, "/c/bin/iomb-bio");
  EXPECT_EQ(ab.servers[1].mode, "thread-per-conn@candidate");
  EXPECT_EQ(ab.servers[2].model, "/b/bin/iomb-nio");
  EXPECT_EQ(ab.servers[2].mode, "default@base");
  EXPECT_EQ(ab.servers[3].mode, "default@candidate");
  EXPECT_EQ(ab.servers[3].args, "--threads 1");
  EXPECT_EQ(ab.servers[3].model_name(), "nio");
  EXPECT_TRUE(ab.alternate_round_order);  // the candidate goes first in odd rounds
  EXPECT_FALSE(spec.alternate_round_order);
}

TEST(AbMatrix, EachCellsBaseRunIsImmediatelyFollowedByItsCandidateRun) {
  const auto spec = matrix::parse_matrix_toml(kTwoServers, "test");
  const auto original = matrix::closed_loop_cells(spec);
  const auto cells = matrix::closed_loop_cells(ab_matrix(spec, "/b", "/c"));
  // Every original cell twice, the filters of both sweeps kept (nio alone at 4 KiB).
  ASSERT_EQ(cells.size(), 2 * original.size());
  for (size_t i = 0; i < cells.size(); i += 2) {
    const auto& a = cells[i];
    const auto& b = cells[i + 1];
    EXPECT_EQ(a.server % 2, 0) << i;  // base copy first
    EXPECT_EQ(b.server, a.server + 1) << i;
    EXPECT_EQ(a.server / 2, original[i / 2].server);
    EXPECT_EQ(std::tie(a.protocol, a.size, a.connections, a.pipeline),
              std::tie(b.protocol, b.size, b.connections, b.pipeline));
    EXPECT_EQ(std::tie(a.protocol, a.size, a.connections, a.pipeline),
              std::tie(original[i / 2].protocol, original[i / 2].size, original[i / 2].connections,
                       original[i / 2].pipeline));
  }
}

TEST(AbMatrix, OpenLoopCellsArePairedToo) {
  const auto spec = matrix::parse_matrix_toml(R"(
[[server]]
model = "nio"
[[server]]
model = "bio"
[[open_loop]]
servers = ["bio"]
rates = [1000, 2000]
)",
                                              "test");
  const auto cells = matrix::open_loop_cells(ab_matrix(spec, "/b", "/c"), {});
  ASSERT_EQ(cells.size(), 4u);
  for (size_t i = 0; i < cells.size(); i += 2) {
    EXPECT_EQ(cells[i].server, 2);
    EXPECT_EQ(cells[i + 1].server, 3);
    EXPECT_EQ(cells[i].rate, cells[i + 1].rate);
  }
}

TEST(SplitSide, FindsTheSuffixThatEndsTheMode) {
  auto base = split_side("echo/nio:reactors@base/c:1/d:1/s:64");
  ASSERT_TRUE(base);
  EXPECT_EQ(base->cell, "echo/nio:reactors/c:1/d:1/s:64");
  EXPECT_EQ(base->side, Side::kBase);
  auto candidate = split_side("http/bio:default@candidate/c:100/d:1/s:0/p:echo");
  ASSERT_TRUE(candidate);
  EXPECT_EQ(candidate->cell, "http/bio:default/c:100/d:1/s:0/p:echo");
  EXPECT_EQ(candidate->side, Side::kCandidate);
  EXPECT_FALSE(split_side("echo/nio:reactors/c:1/d:1/s:64"));
  EXPECT_FALSE(split_side("echo/nio:x@basement/c:1"));
}

TEST(CheckBuildDir, NamesAMissingDirectoryAndMissingBinaries) {
  const auto spec = matrix::parse_matrix_toml(kTwoServers, "test");
  const std::string none = check_build_dir("--base", "/nonexistent/iomb-ab", spec);
  EXPECT_NE(none.find("--base /nonexistent/iomb-ab: no such directory"), std::string::npos) << none;

  const std::string dir = ::testing::TempDir() + "iomb_ab_plan_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/iomb-nio") << "#!/bin/sh\n";
  std::filesystem::permissions(dir + "/iomb-nio", std::filesystem::perms::owner_all);
  const std::string missing = check_build_dir("--candidate", dir, spec);
  EXPECT_NE(missing.find(dir + "/iomb-bio"), std::string::npos) << missing;
  EXPECT_EQ(missing.find(dir + "/iomb-nio"), std::string::npos) << missing;
  std::ofstream(dir + "/iomb-bio") << "#!/bin/sh\n";
  std::filesystem::permissions(dir + "/iomb-bio", std::filesystem::perms::owner_all);
  EXPECT_EQ(check_build_dir("--candidate", dir, spec), "");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace iomb::ab
