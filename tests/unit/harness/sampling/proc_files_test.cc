#include "harness/sampling/proc_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "tests/unit/harness/sampling/forked_child.h"

namespace iomb::sampling {
namespace {

TEST(StatusField, FindsKeysExactly) {
  const std::string text = "Name:\tx\nVmRSSX:\t9 kB\nVmRSS:\t  1234 kB\nThreads:\t3\n";
  EXPECT_EQ(status_field(text, "VmRSS"), 1234);
  EXPECT_EQ(status_field(text, "Threads"), 3);
  EXPECT_EQ(status_field(text, "VmHWM"), std::nullopt);
  EXPECT_EQ(status_field(text, "Name"), std::nullopt);  // not a number
}

TEST(StatFields, SplitsAfterTheLastParenthesis) {
  // A comm with spaces and parentheses must not shift the fields.
  const std::string text = "42 (a) b (c) R 7 42 42 0 -1 4194304 100 0 0 0 250 30 0 0 20 0 5 0\n";
  auto fields = stat_fields_after_comm(text);
  ASSERT_GE(fields.size(), 18u);
  EXPECT_EQ(fields[0], "R");
  EXPECT_EQ(fields[1], "7");
  EXPECT_EQ(fields[14 - 3], "250");
  EXPECT_EQ(fields[15 - 3], "30");
  EXPECT_EQ(fields[20 - 3], "5");
  EXPECT_TRUE(stat_fields_after_comm("garbage").empty());
}

TEST(ReadSmallFile, ReadsProcAndReportsMissingFiles) {
  auto text = read_small_file("/proc/self/status");
  ASSERT_TRUE(text.has_value());
  EXPECT_NE(text->find("VmRSS"), std::string::npos);
  EXPECT_FALSE(read_small_file("/nonexistent/iomb").has_value());
}

TEST(ListProcessTree, FindsChildrenAndGrandchildren) {
  int ready[2];
  ASSERT_EQ(pipe2(ready, O_CLOEXEC), 0);
  pid_t grandchild = 0;
  testing::ForkedChild child([&] {
    pid_t pid = fork();
    if (pid == 0) {
      pause();
      _exit(0);
    }
    (void)!write(ready[1], &pid, sizeof pid);
  });
  ASSERT_TRUE(child.go());
  ASSERT_TRUE(child.wait_done());
  ASSERT_EQ(read(ready[0], &grandchild, sizeof grandchild),
            static_cast<ssize_t>(sizeof grandchild));
  close(ready[0]);
  close(ready[1]);
  auto tree = list_process_tree(getpid());
  EXPECT_EQ(tree.front(), getpid());
  EXPECT_NE(std::find(tree.begin(), tree.end(), child.pid()), tree.end());
  EXPECT_NE(std::find(tree.begin(), tree.end(), grandchild), tree.end());
  EXPECT_EQ(list_process_tree(child.pid()).size(), 2u);
  kill(grandchild, SIGKILL);
}

TEST(ListThreads, SeesThisProcessesThreads) {
  auto threads = list_threads(getpid());
  EXPECT_NE(std::find(threads.begin(), threads.end(), getpid()), threads.end());
}

}  // namespace
}  // namespace iomb::sampling
