// `iomb matrix` with an external load generator: a [[server]] with client = "wrk" drives
// iomb-nio over HTTP for about a second, and its entry lands in the same results.json as an
// iomb-client entry, marked as unverified. Skipped where wrk is not installed.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "harness/process/executable_path.h"
#include "tests/integration/iomb_command.h"

namespace iomb::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kWrkNio[] = R"(
name = "wrk-tiny"
repetitions = 1
duration = "1s"
warmup = "200ms"
protocols = ["http"]
connections = [4]
[[server]]
model = "nio"
args = "--threads 1"
mode = "wrk"
client = "wrk"
)";

TEST(MatrixExternalClient, WrkCellIsMeasuredAndMarkedUnverified) {
  if (!process::find_executable("wrk")) GTEST_SKIP() << "wrk is not installed";
  const std::string dir = temp_path("matrix_wrk");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir + "/m.toml") << kWrkNio;
  auto r = run_iomb({"matrix", "--config", dir + "/m.toml", "--out", dir + "/out", "--no-floor"},
                    std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json doc = read_json(dir + "/out/results.json");
  ASSERT_TRUE(doc.is_object()) << read_file(dir + "/out/results.json");
  nlohmann::json e = first_iteration(doc);
  ASSERT_TRUE(e.is_object()) << doc.dump(1);
  EXPECT_EQ(e["name"], "http/nio:wrk/c:4/d:1/s:64");
  EXPECT_FALSE(e.value("error_occurred", false)) << e.dump();
  EXPECT_GT(e["items_per_second"].get<double>(), 0);
  EXPECT_GT(e["p50_us"].get<double>(), 0);
  EXPECT_GE(e["p99_us"].get<double>(), e["p50_us"].get<double>());
  EXPECT_EQ(e["errors"].get<double>(), 0);
  EXPECT_GT(e["server_rss_kib"].get<double>(), 0);  // the server was sampled as usual
  EXPECT_EQ(e["iomb"]["client"], "wrk");
  EXPECT_EQ(e["iomb"]["verified"], false);
  EXPECT_GT(e["iomb"]["wrk"]["requests"].get<uint64_t>(), 0u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace iomb::testing
