// run_process: exit codes, the log file, the working directory, and the time limit that kills
// a hung helper and its whole process group.
#include "harness/process/process_runner.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace iomb::process {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "iomb-process-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(ProcessRunner, ExitCodeLogAndWorkingDirectory) {
  TempDir dir;
  const std::string log = dir.path() + "/log";
  ProcessResult ok = run_process({"/bin/sh", "-c", "pwd; echo err >&2"}, dir.path(), log,
                                 std::chrono::seconds(30));
  EXPECT_TRUE(ok.ok()) << ok.error;
  EXPECT_EQ(read_file(log), dir.path() + "\nerr\n");
  ProcessResult bad = run_process({"/bin/sh", "-c", "exit 3"}, "", "", std::chrono::seconds(30));
  EXPECT_TRUE(bad.started);
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_FALSE(bad.ok());
}

TEST(ProcessRunner, MissingProgramDoesNotStart) {
  ProcessResult r = run_process({"/nonexistent/prog"}, "", "", std::chrono::seconds(5));
  EXPECT_FALSE(r.started);
  EXPECT_NE(r.error.find("/nonexistent/prog"), std::string::npos);
  EXPECT_FALSE(run_process({}, "", "", std::chrono::seconds(1)).started);
}

TEST(ProcessRunner, TimeoutKillsTheGroupIncludingGrandchildren) {
  TempDir dir;
  const std::string marker = dir.path() + "/late";
  // The grandchild would write the marker after 2 s unless it is killed with its group.
  ProcessResult r = run_process({"/bin/sh", "-c", "(sleep 2; touch " + marker + ") & sleep 30"}, "",
                                "", std::chrono::milliseconds(300));
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok());
  sleep(3);
  EXPECT_FALSE(std::filesystem::exists(marker));
}

}  // namespace
}  // namespace iomb::process
