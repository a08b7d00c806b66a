// read_run_entry: what an `iomb run` child left behind becomes an ok, skipped or failed entry.
#include "harness/matrix/run_entry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace iomb::matrix {
namespace {

class RunEntryTest : public ::testing::Test {
 protected:
  std::string path_ = ::testing::TempDir() + "run_entry_" + std::to_string(::getpid()) + ".json";
  void TearDown() override { ::unlink(path_.c_str()); }
  void write(const nlohmann::json& doc) { std::ofstream(path_) << doc.dump(); }
  static nlohmann::json entry(const std::string& name) {
    return {{"name", name},
            {"run_type", "iteration"},
            {"items_per_second", 1000.0},
            {"iomb", {{"valid", true}}}};
  }
};

TEST_F(RunEntryTest, AGoodRunKeepsItsNumbersAndReportsItsMode) {
  write({{"context", nlohmann::json::object()},
         {"benchmarks", {entry("echo/nio:reactors/c:1/d:1/s:64")}}});
  RunEntry r = read_run_entry(path_, 0, "");
  EXPECT_EQ(r.kind, RunEntry::Kind::kOk);
  EXPECT_EQ(r.reported_mode, "reactors");
  EXPECT_EQ(r.entry["items_per_second"], 1000.0);
  rename_entry(r.entry, "echo/nio:x/c:1/d:1/s:64", 2, 3, 7);
  EXPECT_EQ(r.entry["run_name"], "echo/nio:x/c:1/d:1/s:64");
  EXPECT_EQ(r.entry["repetition_index"], 2);
  EXPECT_EQ(r.entry["family_index"], 7);
}

TEST_F(RunEntryTest, ExitSeventySevenIsSkippedWithTheServersReason) {
  nlohmann::json e = {{"name", "echo/aio:default/c:1/d:1/s:64"},
                      {"run_type", "iteration"},
                      {"error_occurred", true},
                      {"error_message", "skipped: io_uring disabled"}};
  write({{"context", {{"skipped", "skipped: io_uring disabled"}}}, {"benchmarks", {e}}});
  RunEntry r = read_run_entry(path_, 0, "");
  EXPECT_EQ(r.kind, RunEntry::Kind::kSkipped);
  EXPECT_TRUE(r.entry["skipped"].get<bool>());
  EXPECT_NE(r.entry["skip_reason"].get<std::string>().find("io_uring disabled"), std::string::npos);
  EXPECT_FALSE(r.entry.contains("error_occurred"));
}

TEST_F(RunEntryTest, AServerRefusingItsFlagsIsSkippedWithItsMessage) {
  nlohmann::json e = {
      {"name", "http/nio:default/c:1/d:1/s:64"},
      {"run_type", "iteration"},
      {"error_occurred", true},
      {"error_message",
       "server /b/iomb-nio failed to start: exited 2 before its ready line\n--- server stderr "
       "(tail) ---\n--protocol: iomb-nio does not serve http yet\nRun with --help\n"}};
  write({{"context", nlohmann::json::object()}, {"benchmarks", {e}}});
  RunEntry r = read_run_entry(path_, 1, "");
  EXPECT_EQ(r.kind, RunEntry::Kind::kSkipped);
  EXPECT_EQ(r.entry["skip_reason"],
            "refused by the server: --protocol: iomb-nio does not serve http yet");
}

TEST_F(RunEntryTest, AFailedRunIsAnError) {
  nlohmann::json e = entry("echo/bio:thread-per-conn/c:1/d:1/s:64");
  e["error_occurred"] = true;
  e["error_message"] = "verification failed: byte 3";
  write({{"context", nlohmann::json::object()}, {"benchmarks", {e}}});
  RunEntry r = read_run_entry(path_, 1, "");
  EXPECT_EQ(r.kind, RunEntry::Kind::kFailed);
  EXPECT_EQ(r.entry["error_message"], "verification failed: byte 3");
  EXPECT_EQ(r.entry["items_per_second"], 1000.0);  // numbers kept, flagged invalid
}

TEST_F(RunEntryTest, NoFileMeansFailedOrRefusedByIombRun) {
  RunEntry crashed = read_run_entry(path_ + ".missing", -9, "killed");
  EXPECT_EQ(crashed.kind, RunEntry::Kind::kFailed);
  EXPECT_TRUE(crashed.entry["error_occurred"].get<bool>());
  RunEntry refused = read_run_entry(path_ + ".missing", 2, "--protocol: http is not built yet");
  EXPECT_EQ(refused.kind, RunEntry::Kind::kSkipped);
  EXPECT_NE(refused.message.find("http is not built yet"), std::string::npos);
}

TEST(ModeOfName, TakesTheModePart) {
  EXPECT_EQ(mode_of_name("echo/nio:reactors/c:1/d:1/s:64"), "reactors");
  EXPECT_EQ(mode_of_name("echo/nio/c:1"), "");
  EXPECT_EQ(mode_of_name("garbage"), "");
}

}  // namespace
}  // namespace iomb::matrix
