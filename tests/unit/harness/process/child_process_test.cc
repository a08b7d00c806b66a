#include "harness/process/child_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <system_error>

namespace iomb::sampling {
namespace {

using std::chrono::milliseconds;

TEST(ChildProcess, CapturesStdoutAndStderrAndExitStatus) {
  ChildProcess child = ChildProcess::spawn({"sh", "-c", "echo out; echo err >&2; exit 3"});
  auto status = child.wait_for(std::chrono::seconds(30));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 3);
  EXPECT_EQ(child.stdout_text(), "out\n");
  EXPECT_EQ(child.stderr_text(), "err\n");
  EXPECT_EQ(describe_wait_status(*status), "exited with status 3");
}

TEST(ChildProcess, PassesDescriptorsAt3And4) {
  int a[2], b[2];
  ASSERT_EQ(pipe2(a, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(b, O_CLOEXEC), 0);
  // The order is swapped on purpose: b's write end becomes 3, a's write end 4.
  ChildProcess child =
      ChildProcess::spawn({"sh", "-c", "echo three >&3; echo four >&4"}, {b[1], a[1]});
  close(a[1]);
  close(b[1]);
  ASSERT_TRUE(child.wait_for(std::chrono::seconds(30)).has_value());
  char buf[16] = {};
  EXPECT_EQ(read(b[0], buf, sizeof buf - 1), 6);
  EXPECT_STREQ(buf, "three\n");
  char buf2[16] = {};
  EXPECT_EQ(read(a[0], buf2, sizeof buf2 - 1), 5);
  EXPECT_STREQ(buf2, "four\n");
  close(a[0]);
  close(b[0]);
}

TEST(ChildProcess, TimesOutThenKills) {
  ChildProcess child = ChildProcess::spawn({"sleep", "30"});
  EXPECT_FALSE(child.wait_for(milliseconds(20)).has_value());
  int status = child.wait_or_kill(milliseconds(0));
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_EQ(describe_wait_status(status), "killed by signal 9");
  EXPECT_EQ(child.signal(SIGTERM), -ESRCH);  // already reaped
}

TEST(ChildProcess, ThrowsForAMissingProgram) {
  EXPECT_THROW(ChildProcess::spawn({"/nonexistent/iomb-program"}), std::system_error);
  EXPECT_THROW(ChildProcess::spawn({}), std::system_error);
}

TEST(TailLines, KeepsTheLastLines) {
  EXPECT_EQ(tail_lines("a\nb\nc\n", 2), "b\nc");
  EXPECT_EQ(tail_lines("a\nb\nc", 5), "a\nb\nc");
  EXPECT_EQ(tail_lines("\n\n", 2), "");
}

}  // namespace
}  // namespace iomb::sampling
