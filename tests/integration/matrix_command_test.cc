// `iomb matrix` end to end with tiny TOML matrices (short functional runs, not measurements):
// interleaved repetitions with aggregates, a missing server recorded as skipped, and Ctrl-C
// leaving a valid partial results.json with no server process behind.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/iomb_command.h"

namespace iomb::testing {
namespace {

namespace fs = std::filesystem;

class MatrixCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_path(std::string("matrix_") +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_toml(const std::string& text) {
    std::string path = dir_ + "/m.toml";
    std::ofstream(path) << text;
    return path;
  }
  std::string out() const { return dir_ + "/out"; }

  std::string dir_;
};

constexpr char kBioNio[] = R"(
name = "tiny"
repetitions = 2
duration = "300ms"
warmup = "100ms"
connections = [2]
[[server]]
model = "bio"
mode = "thread-per-conn"
[[server]]
model = "nio"
args = "--threads 1"
mode = "reactors"
)";

std::vector<nlohmann::json> of_type(const nlohmann::json& doc, const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const auto& b : doc.value("benchmarks", nlohmann::json::array())) {
    if (b.value("run_type", "") == type) out.push_back(b);
  }
  return out;
}

TEST_F(MatrixCommandTest, RunsRepetitionsInterleavedAcrossModelsWithAggregates) {
  auto r = run_iomb({"matrix", "--config", write_toml(kBioNio), "--out", out(), "--no-floor"},
                    std::chrono::seconds(120));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("[1/4]"), std::string::npos) << r.err;  // progress on stderr
  EXPECT_NE(r.err.find("ETA"), std::string::npos) << r.err;
  nlohmann::json doc = read_json(out() + "/results.json");
  ASSERT_TRUE(doc.is_object()) << read_file(out() + "/results.json");
  EXPECT_EQ(doc["context"]["iomb_command"], "matrix");
  EXPECT_EQ(doc["context"]["matrix"]["status"], "complete");

  const std::string bio = "echo/bio:thread-per-conn/c:2/d:1/s:64";
  const std::string nio = "echo/nio:reactors/c:2/d:1/s:64";
  auto its = of_type(doc, "iteration");
  ASSERT_EQ(its.size(), 4u) << doc.dump(1);
  // Round 1 of every model, then round 2.
  const std::pair<std::string, int> expected[] = {{bio, 0}, {nio, 0}, {bio, 1}, {nio, 1}};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(its[i]["name"], expected[i].first) << i;
    EXPECT_EQ(its[i]["repetition_index"], expected[i].second) << i;
    EXPECT_EQ(its[i]["repetitions"], 2);
    EXPECT_FALSE(its[i].value("error_occurred", false)) << its[i].dump();
    EXPECT_GT(its[i]["iterations"].get<uint64_t>(), 0u);
    EXPECT_GT(its[i]["server_rss_kib"].get<double>(), 0);
    std::string raw = its[i]["iomb"]["matrix"]["raw"].get<std::string>();
    EXPECT_TRUE(fs::exists(out() + "/" + raw)) << raw;
  }
  auto aggs = of_type(doc, "aggregate");
  for (const auto& name : {bio, nio}) {
    for (const char* kind : {"mean", "median", "stddev", "cv"}) {
      bool found = false;
      for (const auto& a : aggs) {
        found = found || (a["run_name"] == name && a["aggregate_name"] == kind &&
                          a["iterations"] == 2 && a["items_per_second"].get<double>() > 0);
      }
      EXPECT_TRUE(found) << name << " " << kind;
    }
  }

  // The report reads the matrix directory (tables only: no gnuplot needed here).
  auto rep = run_iomb({"report", out(), "--no-plots", "--quiet"});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  std::string summary = read_file(out() + "/summary.md");
  EXPECT_NE(summary.find("bio:thread-per-conn"), std::string::npos) << summary;
  EXPECT_NE(summary.find("nio:reactors"), std::string::npos) << summary;
}

TEST_F(MatrixCommandTest, AServerThatIsNotBuiltIsRecordedAsSkipped) {
  const std::string toml = std::string(kBioNio) + "[[server]]\nmodel = \"" + dir_ +
                           "/no-such/iomb-ghost\"\n[[sweep]]\nservers = [\"ghost\"]\n";
  auto r = run_iomb({"matrix", "--config", write_toml(toml), "--out", out(), "--no-floor"},
                    std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json doc = read_json(out() + "/results.json");
  auto its = of_type(doc, "iteration");
  ASSERT_EQ(its.size(), 1u) << doc.dump(1);  // one entry for the cell, not one per repetition
  EXPECT_EQ(its[0]["name"], "echo/ghost:default/c:2/d:1/s:64");
  EXPECT_TRUE(its[0].value("skipped", false));
  EXPECT_NE(its[0].value("skip_reason", "").find("not built"), std::string::npos) << its[0];
  EXPECT_NE(r.err.find("skipped"), std::string::npos) << r.err;
}

// Processes (not zombies) whose environment holds `marker`.
std::vector<pid_t> marked_processes(const std::string& marker) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string env = read_file("/proc/" + name + "/environ");
    if (env.find(marker) != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

bool any_server(const std::vector<pid_t>& pids) {
  for (pid_t p : pids) {
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/" + std::to_string(p) + "/exe", ec).filename().string();
    if (exe == "iomb-bio" || exe == "iomb-nio") return true;
  }
  return false;
}

TEST_F(MatrixCommandTest, SigintStopsPromptlyWithAValidPartialResultAndNoServerLeft) {
  std::string toml = kBioNio;
  toml.replace(toml.find("repetitions = 2"), 15, "repetitions = 5");
  toml.replace(toml.find("duration = \"300ms\""), 18, "duration = \"2s\"");
  const std::string marker =
      "IOMB_MATRIX_TEST_MARKER=" + std::to_string(::getpid()) + "-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  const std::string cfg = write_toml(toml);
  ::setenv("IOMB_MATRIX_TEST_MARKER", marker.substr(marker.find('=') + 1).c_str(), 1);
  pid_t pid =
      spawn_command(binary_path("iomb"), {"matrix", "--config", cfg, "--out", out(), "--no-floor"},
                    dir_ + "/stdout", dir_ + "/stderr");
  ::unsetenv("IOMB_MATRIX_TEST_MARKER");
  ASSERT_GT(pid, 0);
  // Wait until the first run has finished and the second one's server is up.
  bool second_server = false;
  for (int i = 0; i < 1500 && !second_server; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    nlohmann::json doc = read_json(out() + "/results.json");
    second_server = doc.is_object() && of_type(doc, "iteration").size() == 1 &&
                    any_server(marked_processes(marker));
  }
  ASSERT_TRUE(second_server) << read_file(dir_ + "/stderr");
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  int code = wait_command(pid, std::chrono::seconds(20));
  EXPECT_EQ(code, 128 + SIGINT) << read_file(dir_ + "/stderr");

  // Nothing the matrix started is left (bounded wait for the kernel to finish exits).
  std::vector<pid_t> left = marked_processes(marker);
  for (int i = 0; i < 100 && !left.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    left = marked_processes(marker);
  }
  EXPECT_TRUE(left.empty()) << "still running: " << left.size() << " process(es), first pid "
                            << (left.empty() ? 0 : left[0]);

  nlohmann::json doc = read_json(out() + "/results.json");
  ASSERT_TRUE(doc.is_object()) << read_file(out() + "/results.json");
  EXPECT_EQ(doc["context"]["matrix"]["status"], "interrupted");
  auto its = of_type(doc, "iteration");
  ASSERT_EQ(its.size(), 1u);  // the interrupted run is dropped, the completed one kept
  EXPECT_EQ(its[0]["name"], "echo/bio:thread-per-conn/c:2/d:1/s:64");
  EXPECT_FALSE(fs::exists(out() + "/results.json.tmp"));
}

}  // namespace
}  // namespace iomb::testing
