// `iomb matrix` with an external load generator: a [[server]] with client = "wrk" drives
// iomb-nio over HTTP for about a second, and its entry lands in the same results.json as an
// iomb-client entry, marked as unverified. Skipped where wrk is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

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

bool wrk_on_path() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    if (::access((dirs.substr(start, end - start) + "/wrk").c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

TEST(MatrixExternalClient, WrkCellIsMeasuredAndMarkedUnverified) {
  if (!wrk_on_path()) GTEST_SKIP() << "wrk is not installed";
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
