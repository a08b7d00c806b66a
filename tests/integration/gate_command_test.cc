// The CI gate's two commands on real files through the iomb binary: `iomb baseline` keeps only
// the counts whose A/A spread is small, and `iomb compare --counts-only` against it exits 0
// (judged, no regression), 1 (a count regressed: the cell and the counter named) or 3 (could
// not judge: a gated count missing, a gated cell missing), never a silent pass.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/iomb_command.h"

namespace iomb::testing {
namespace {

using nlohmann::json;

const char kC1[] = "echo/nio:reactors/c:1/d:1/s:64";
const char kC100[] = "echo/asio:shared/c:100/d:1/s:64";

// A ci-like result: 5 repetitions per cell; syscalls counted once per cell (copied, as the
// matrix does); context switches per repetition.
std::string write_result(const std::string& path, double c1_syscalls, double c100_syscalls,
                         bool with_c100 = true, bool with_syscalls = true) {
  json rows = json::array();
  for (int rep = 0; rep < 5; ++rep) {
    for (const char* name : {kC1, kC100}) {
      const bool c1 = std::string(name) == kC1;
      if (!c1 && !with_c100) continue;
      json row = {{"name", name},
                  {"run_name", name},
                  {"run_type", "iteration"},
                  {"repetition_index", rep},
                  {"repetitions", 5},
                  {"iterations", 1000},
                  {"real_time", 1e5},
                  {"cpu_time", 8000 + rep},
                  {"time_unit", "ns"},
                  {"items_per_second", 1e4 + rep},
                  {"ctx_switches_per_req", 1.0 + 0.001 * rep}};
      if (with_syscalls) row["syscalls_per_req"] = c1 ? c1_syscalls : c100_syscalls;
      rows.push_back(row);
    }
  }
  std::ofstream(path) << json{{"context", {{"git_sha", "test"}}}, {"benchmarks", rows}}.dump();
  return path;
}

class GateCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_path("gate");
    ASSERT_EQ(::mkdir(dir_.c_str(), 0700), 0);
    // A/A: c1's syscalls stable (2.90, 2.92, 2.91), c100's spread 17 % (batching).
    std::vector<std::string> args = {"baseline"};
    const double c100[] = {2.21, 2.58, 2.30};
    for (int i = 0; i < 3; ++i) {
      args.push_back(
          write_result(dir_ + "/aa" + std::to_string(i) + ".json", 2.90 + 0.01 * i, c100[i]));
    }
    args.insert(args.end(), {"--out", baseline()});
    CommandResult r = run_iomb(args, std::chrono::seconds(30));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("not gated: A/A spread"), std::string::npos) << r.out;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string baseline() const { return dir_ + "/baseline.json"; }
  CommandResult gate(const std::string& next) {
    return run_iomb({"compare", "--counts-only", baseline(), next}, std::chrono::seconds(30));
  }

  std::string dir_;
};

TEST_F(GateCommandTest, TheBaselineGatesOnlyTheStableCounts) {
  json doc = read_json(baseline());
  const json& gate = doc["context"]["gate"];
  EXPECT_EQ(gate["tolerance"]["syscalls/req"], 0.15);
  EXPECT_TRUE(gate["not_gated"][kC100].contains("syscalls/req"));
  ASSERT_EQ(doc["benchmarks"].size(), 2u);  // c1 (both counts), c100 (context switches only)
  for (const json& row : doc["benchmarks"]) {
    EXPECT_EQ(row.contains("syscalls_per_req"), row["name"] == kC1) << row.dump();
  }
}

TEST_F(GateCommandTest, AnUnchangedRunPasses) {
  CommandResult r = gate(write_result(dir_ + "/same.json", 2.95, 2.90));  // c100 not gated
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(GateCommandTest, OneMoreSyscallPerRequestFailsNamingTheCellAndCounter) {
  CommandResult r = gate(write_result(dir_ + "/worse.json", 3.91, 2.30));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find(kC1), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("syscalls/req"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("regressed"), std::string::npos) << r.out;
}

TEST_F(GateCommandTest, MissingEvidenceExitsThreeNotZero) {
  CommandResult no_syscalls = gate(write_result(dir_ + "/noperf.json", 0, 0, true, false));
  EXPECT_EQ(no_syscalls.exit_code, 3) << no_syscalls.out << no_syscalls.err;
  EXPECT_NE(no_syscalls.out.find("NEW has no syscalls/req"), std::string::npos) << no_syscalls.out;
  CommandResult no_cell = gate(write_result(dir_ + "/nocell.json", 2.9, 2.3, false));
  EXPECT_EQ(no_cell.exit_code, 3) << no_cell.out << no_cell.err;
  EXPECT_NE(no_cell.out.find("only in base: " + std::string(kC100)), std::string::npos);
}

}  // namespace
}  // namespace iomb::testing
