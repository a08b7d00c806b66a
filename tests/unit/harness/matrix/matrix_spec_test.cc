// parse_matrix_toml, the presets and the plan: cells, interleaving, open-loop rates, estimates.
#include "harness/matrix/matrix_spec.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "harness/matrix/matrix_plan.h"
#include "harness/matrix/presets.h"

namespace iomb::matrix {
namespace {

constexpr char kTwoServers[] = R"(
name = "t"
repetitions = 2
duration = "300ms"
warmup = "100ms"
connections = [1, 10]
[[server]]
model = "bio"
mode = "thread-per-conn"
[[server]]
model = "nio"
args = "--trigger et"
mode = "reactors-et"
[[open_loop]]
connections = 10
fractions = [0.5, 1.2]
)";

TEST(MatrixSpec, ParsesServersDefaultsAndOpenLoop) {
  MatrixSpec s = parse_matrix_toml(kTwoServers, "t.toml");
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.repetitions, 2);
  EXPECT_EQ(s.duration, std::chrono::milliseconds(300));
  ASSERT_EQ(s.servers.size(), 2u);
  EXPECT_EQ(s.servers[1].id(), "nio:reactors-et");
  EXPECT_EQ(s.servers[1].args, "--trigger et");
  ASSERT_EQ(s.sweeps.size(), 1u);  // the implicit sweep of the top-level defaults
  EXPECT_EQ(s.sweeps[0].connections, (std::vector<int>{1, 10}));
  EXPECT_EQ(s.sweeps[0].sizes, (std::vector<uint64_t>{64}));
  ASSERT_EQ(s.open_loop.size(), 1u);
  EXPECT_EQ(s.open_loop[0].capacity_connections, 10);
  EXPECT_EQ(s.open_loop[0].fractions, (std::vector<double>{0.5, 1.2}));
}

TEST(MatrixSpec, RejectsMistakes) {
  const std::string server = "\n[[server]]\nmodel = \"bio\"\n";
  EXPECT_THROW(parse_matrix_toml("name = \"x\"\n", "a"), std::invalid_argument);  // no server
  EXPECT_THROW(parse_matrix_toml("repetitons = 3" + server, "a"), std::invalid_argument);
  EXPECT_THROW(parse_matrix_toml("protocols = [\"ftp\"]" + server, "a"), std::invalid_argument);
  EXPECT_THROW(parse_matrix_toml("sizes = [\"4XB\"]" + server, "a"), std::invalid_argument);
  EXPECT_THROW(parse_matrix_toml("duration = \"fast\"" + server, "a"), std::invalid_argument);
  EXPECT_THROW(parse_matrix_toml(server + server, "a"), std::invalid_argument);  // same id twice
  EXPECT_THROW(parse_matrix_toml(server + "[[sweep]]\nservers = [\"nio\"]\n", "a"),
               std::invalid_argument);
  EXPECT_THROW(parse_matrix_toml(server + "[[open_loop]]\nconnections = 5\n", "a"),
               std::invalid_argument);  // no fractions
  EXPECT_THROW(parse_matrix_toml("connections = [1, 100" + server, "a"), std::invalid_argument);
}

// TOML is UTF-8: other bytes are refused before the parser, whose Debian build (toml11 3.7)
// read past its buffer on this input (found by fuzz_matrix_toml; kept in its corpus).
TEST(MatrixSpec, RefusesBytesThatAreNotUtf8) {
  const std::string crash(
      "'\xff\xff\xff\xff\xff'\xff\xff\xff\xff\xff\x7f\xff\xff\xff\xfe\xff\xff\xff\xff");
  try {
    parse_matrix_toml(crash, "m.toml");
    FAIL() << "accepted bytes that are not UTF-8";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("not UTF-8 at byte 1"), std::string::npos) << e.what();
  }
  for (const char* bad : {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"}) {
    EXPECT_THROW(parse_matrix_toml(std::string("name = \"") + bad + "\"\n", "m"),
                 std::invalid_argument)
        << bad;  // overlong, surrogate, past U+10FFFF, truncated
  }
  // Well-formed UTF-8 of every length passes the check (then fails for lack of a server).
  try {
    parse_matrix_toml("name = \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"\n", "m");
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("UTF-8"), std::string::npos) << e.what();
  }
}

TEST(MatrixPlan, ServersAreInnermostSoRoundsInterleaveModels) {
  MatrixSpec s = parse_matrix_toml(kTwoServers, "t.toml");
  auto cells = closed_loop_cells(s);
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[0].server, 0);
  EXPECT_EQ(cells[1].server, 1);
  EXPECT_EQ(cells[0].connections, 1);
  EXPECT_EQ(cells[2].connections, 10);
  EXPECT_EQ(cells[3].server, 1);
}

TEST(MatrixPlan, OverlappingSweepsRunACellOnce) {
  MatrixSpec s = parse_matrix_toml(
      "[[server]]\nmodel = \"bio\"\n[[sweep]]\nconnections = [1, 2]\n[[sweep]]\n"
      "connections = [2, 3]\nservers = [\"bio:default\"]\n",
      "a");
  EXPECT_EQ(closed_loop_cells(s).size(), 3u);
}

TEST(MatrixPlan, OpenLoopRatesAreFractionsOfEachServersCapacity) {
  MatrixSpec s = parse_matrix_toml(kTwoServers, "t.toml");
  EXPECT_EQ(open_loop_cell_count(s), 4u);
  Capacities caps{{{0, "echo", 64, 10}, 1000.0}};  // nio has no capacity
  auto cells = open_loop_cells(s, caps);
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[0].server, 0);
  EXPECT_DOUBLE_EQ(cells[0].rate, 500);
  EXPECT_EQ(cells[0].connections, 10);
  EXPECT_EQ(cells[1].server, 1);
  EXPECT_EQ(cells[1].rate, 0);
  EXPECT_NE(cells[1].skip_reason.find("no capacity"), std::string::npos);
  EXPECT_TRUE(cells[1].open_loop());
  EXPECT_DOUBLE_EQ(cells[2].rate, 1200);
}

// rate_basis = "slowest": every server gets the same offered load, a fraction of the lowest
// capacity among the sweep's servers; a server without a capacity of its own is still skipped.
TEST(MatrixPlan, SlowestRateBasisGivesEveryServerTheSameRate) {
  const std::string three = std::string(kTwoServers) +
                            "[[server]]\nmodel = \"asio\"\n"
                            "[[open_loop]]\nconnections = 10\nfractions = [0.5]\n"
                            "rate_basis = \"slowest\"\n";
  MatrixSpec s = parse_matrix_toml(three, "t.toml");
  ASSERT_EQ(s.open_loop.size(), 2u);
  EXPECT_EQ(s.open_loop[1].rate_basis, "slowest");
  Capacities caps{{{0, "echo", 64, 10}, 3000.0}, {{1, "echo", 64, 10}, 1000.0}};
  std::vector<CellSpec> slowest;
  for (const CellSpec& c : open_loop_cells(s, caps)) {
    if (c.rate > 0 && c.connections == 10 && c.skip_reason.empty()) slowest.push_back(c);
  }
  // The first sweep (each server's own capacity) comes first: 1500/500 at 0.5, 3600/1200 at
  // 1.2; then the slowest-basis sweep: 500 for both; asio (no capacity) skipped in both.
  ASSERT_EQ(slowest.size(), 6u);
  EXPECT_DOUBLE_EQ(slowest[0].rate, 1500);
  EXPECT_DOUBLE_EQ(slowest[1].rate, 500);
  EXPECT_DOUBLE_EQ(slowest[4].rate, 500);
  EXPECT_EQ(slowest[4].server, 0);
  EXPECT_DOUBLE_EQ(slowest[5].rate, 500);
  EXPECT_EQ(slowest[5].server, 1);
  EXPECT_THROW(parse_matrix_toml(std::string(kTwoServers) +
                                     "[[open_loop]]\nfractions = [0.5]\nrate_basis = \"min\"\n",
                                 "t.toml"),
               std::invalid_argument);
}

TEST(MatrixPresets, EveryPresetParses) {
  for (const auto& name : preset_names()) {
    SCOPED_TRACE(name);
    std::string text = preset_text(name);
    ASSERT_FALSE(text.empty());
    MatrixSpec s = parse_matrix_toml(text, name);
    EXPECT_EQ(s.name, name);
    EXPECT_GE(s.servers.size(), 4u);  // every model
  }
  EXPECT_EQ(preset_text("nope"), "");
}

// The presets' time budgets as planned: quick under 5 minutes, full under an hour, ci
// about a minute. These are the harness's own estimates, not measurements.
TEST(MatrixPresets, PlannedDurationsFitTheirBudgets) {
  using std::chrono::minutes;
  MatrixSpec quick = parse_matrix_toml(preset_text("quick"), "quick");
  EXPECT_EQ(closed_loop_cells(quick).size(), 12u);  // 4 models x 1/100/1000 connections
  EXPECT_EQ(open_loop_cell_count(quick), 4u);       // one open-loop rate per model
  EXPECT_LT(estimate_total(quick), minutes(4));
  MatrixSpec full = parse_matrix_toml(preset_text("full"), "full");
  EXPECT_EQ(full.servers.size(), 12u);
  EXPECT_LT(estimate_total(full), minutes(55));
  MatrixSpec ci = parse_matrix_toml(preset_text("ci"), "ci");
  EXPECT_TRUE(ci.count_syscalls);
  EXPECT_LT(estimate_total(ci), minutes(2));
}

}  // namespace
}  // namespace iomb::matrix
