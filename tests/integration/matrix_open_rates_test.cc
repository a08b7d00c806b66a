// `iomb matrix` keys that change what each run is asked for: [[open_loop]] rates (fixed
// offered rates with no closed-loop cell to measure a capacity first) and the top-level path
// of http cells, each run for a fraction of a second against iomb-nio.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "tests/integration/iomb_command.h"

namespace iomb::testing {
namespace {

namespace fs = std::filesystem;

nlohmann::json run_matrix(const std::string& tag, const std::string& toml) {
  const std::string dir = temp_path(tag);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir + "/m.toml") << toml;
  auto r = run_iomb({"matrix", "--config", dir + "/m.toml", "--out", dir + "/out", "--no-floor"},
                    std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json doc = read_json(dir + "/out/results.json");
  fs::remove_all(dir);
  return doc;
}

TEST(MatrixOpenRates, AFixedRateMatrixRunsOnlyItsOpenLoopCells) {
  nlohmann::json doc = run_matrix("matrix_rates", R"(
repetitions = 1
duration = "400ms"
warmup = "100ms"
[[server]]
model = "nio"
args = "--threads 1"
mode = "reactors"
[[open_loop]]
connections = 2
rates = [500]
)");
  ASSERT_TRUE(doc.is_object());
  ASSERT_EQ(doc["benchmarks"].size(), 1u) << doc["benchmarks"].dump(1);
  const nlohmann::json& e = doc["benchmarks"][0];
  EXPECT_EQ(e["name"], "echo/nio:reactors/c:2/d:1/s:64/r:500");
  EXPECT_FALSE(e.value("error_occurred", false)) << e.dump();
  EXPECT_GT(e["items_per_second"].get<double>(), 250);
}

TEST(MatrixOpenRates, PathReachesEveryHttpRun) {
  nlohmann::json doc = run_matrix("matrix_path", R"(
repetitions = 1
duration = "300ms"
warmup = "100ms"
protocols = ["http"]
path = "/healthz"
connections = [2]
[[server]]
model = "nio"
args = "--threads 1"
mode = "reactors"
)");
  ASSERT_TRUE(doc.is_object());
  nlohmann::json e = first_iteration(doc);
  ASSERT_TRUE(e.is_object()) << doc.dump(1);
  EXPECT_FALSE(e.value("error_occurred", false)) << e.dump();
  EXPECT_EQ(e["iomb"]["load"]["path"], "/healthz");
  EXPECT_GT(e["items_per_second"].get<double>(), 0);
}

}  // namespace
}  // namespace iomb::testing
