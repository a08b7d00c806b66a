// The [[open_loop]] rates key: fixed offered rates that need no measured capacity, the
// alternative to fractions (exactly one of the two), and a matrix of only those has no
// closed-loop cells.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "harness/matrix/matrix_plan.h"
#include "harness/matrix/matrix_spec.h"

namespace iomb::matrix {
namespace {

constexpr char kFixedRates[] = R"(
[[server]]
model = "bio"
[[server]]
model = "nio"
[[open_loop]]
sizes = [64, "4KiB"]
connections = 100
rates = [100, 30000]
)";

TEST(MatrixOpenLoopRates, ParsesRatesAndDropsTheDefaultSweep) {
  MatrixSpec spec = parse_matrix_toml(kFixedRates, "t.toml");
  ASSERT_EQ(spec.open_loop.size(), 1u);
  EXPECT_EQ(spec.open_loop[0].rates, (std::vector<double>{100, 30000}));
  EXPECT_TRUE(spec.open_loop[0].fractions.empty());
  EXPECT_TRUE(spec.sweeps.empty());
  EXPECT_TRUE(closed_loop_cells(spec).empty());
}

TEST(MatrixOpenLoopRates, CellsRunAtTheGivenRateWithoutCapacities) {
  MatrixSpec spec = parse_matrix_toml(kFixedRates, "t.toml");
  auto cells = open_loop_cells(spec, {});
  ASSERT_EQ(cells.size(), 8u);  // 2 sizes x 2 rates x 2 servers
  EXPECT_EQ(open_loop_cell_count(spec), 8u);
  for (const auto& c : cells) {
    EXPECT_TRUE(c.skip_reason.empty()) << c.skip_reason;
    EXPECT_EQ(c.connections, 100);
  }
  EXPECT_EQ(cells[0].rate, 100);
  EXPECT_EQ(cells[0].server, 0);
  EXPECT_EQ(cells[1].server, 1);  // servers innermost
  EXPECT_EQ(cells[2].rate, 30000);
  EXPECT_EQ(cells[4].size, 4096u);
}

TEST(MatrixOpenLoopRates, KeepsTheDefaultSweepWhenAFractionNeedsACapacity) {
  MatrixSpec spec = parse_matrix_toml(
      std::string(kFixedRates) + "[[open_loop]]\nconnections = 100\nfractions = [0.5]\n", "t.toml");
  EXPECT_EQ(spec.sweeps.size(), 1u);
  EXPECT_FALSE(closed_loop_cells(spec).empty());
}

TEST(MatrixOpenLoopRates, WantsExactlyOneOfFractionsAndRates) {
  const std::string server = "[[server]]\nmodel = \"nio\"\n";
  EXPECT_THROW(parse_matrix_toml(server + "[[open_loop]]\nrates = [100]\nfractions = [0.5]\n", "a"),
               std::invalid_argument);
  EXPECT_THROW(parse_matrix_toml(server + "[[open_loop]]\nrates = [0]\n", "a"),
               std::invalid_argument);
  EXPECT_THROW(parse_matrix_toml(server + "[[open_loop]]\nrates = [\"fast\"]\n", "a"),
               std::invalid_argument);
}

}  // namespace
}  // namespace iomb::matrix
