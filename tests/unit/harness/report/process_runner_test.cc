// run_process: exit codes, the log file, the working directory, and the time limit that kills
// a hung helper and its whole process group.
#include "harness/process/process_runner.h"

#include <gtest/gtest.h>

#include "report_test_support.h"

namespace iomb::report {

using sampling::find_executable;
using sampling::ProcessResult;
using sampling::run_process;
namespace {

using testing::read_file;
using testing::TempDir;

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

TEST(ProcessRunner, FindsExecutablesOnPath) {
  EXPECT_TRUE(find_executable("sh"));
  EXPECT_EQ(find_executable("/bin/sh"), "/bin/sh");
  EXPECT_FALSE(find_executable("/nonexistent/x"));
  EXPECT_FALSE(find_executable("iomb-no-such-program"));
  EXPECT_FALSE(find_executable(""));
}

}  // namespace
}  // namespace iomb::report
