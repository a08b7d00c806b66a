// ChildProcess: exit statuses, captured and bounded outputs, stdout lines with a deadline,
// waiting and killing on a deadline, passed descriptors, environment, working directory,
// affinity, process groups and the parent-death signal.
#include "harness/process/child_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>
#include <thread>

namespace iomb::process {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using Output = ChildProcess::Output;

ChildProcess::Options shell(const std::string& script) {
  ChildProcess::Options o;
  o.argv = {"/bin/sh", "-c", script};
  return o;
}

TEST(ChildProcess, CapturesStdoutAndStderrAndExitStatus) {
  ChildProcess child = ChildProcess::spawn({"sh", "-c", "echo out; echo err >&2; exit 3"});
  auto status = child.wait_for(std::chrono::seconds(30));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 3);
  EXPECT_EQ(exit_code_of(*status), 3);
  EXPECT_EQ(child.status(), status);
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
  EXPECT_EQ(exit_code_of(status), -SIGKILL);
  EXPECT_EQ(describe_wait_status(status), "killed by signal 9");
  EXPECT_EQ(child.signal(SIGTERM), -ESRCH);  // already reaped
}

TEST(ChildProcess, TerminateSendsSigtermThenSigkillAfterTheGrace) {
  ChildProcess polite = ChildProcess::spawn({"sleep", "30"});
  EXPECT_EQ(exit_code_of(polite.terminate(std::chrono::seconds(10))), -SIGTERM);
  // A child that ignores SIGTERM is killed once the grace is over.
  ChildProcess::Options o = shell("trap '' TERM; echo ready; while :; do sleep 0.05; done");
  o.out = Output::kTail;
  ChildProcess stubborn = ChildProcess::spawn(std::move(o));
  std::string line;
  ASSERT_TRUE(stubborn.read_line(&line, Clock::now() + std::chrono::seconds(10)));
  const auto t0 = Clock::now();
  EXPECT_EQ(exit_code_of(stubborn.terminate(milliseconds(200))), -SIGKILL);
  EXPECT_GE(Clock::now() - t0, milliseconds(200));
}

TEST(ChildProcess, StartsUnderASmallDescriptorLimit) {
  // Tests start servers with a low RLIMIT_NOFILE that the child inherits; starting it must
  // not need descriptor numbers above that limit.
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
  int highest = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(highest, 0);
  close(highest);
  rlimit low = old;
  low.rlim_cur = static_cast<rlim_t>(highest) + 16;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  std::optional<ChildProcess> child;
  std::string error;
  try {
    ChildProcess::Options o = shell("echo up");
    o.out = Output::kTail;
    o.err = Output::kTail;
    child.emplace(ChildProcess::spawn(std::move(o)));
  } catch (const std::system_error& e) {
    error = e.what();
  }
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
  ASSERT_TRUE(child.has_value()) << error;
  std::string line;
  EXPECT_TRUE(child->read_line(&line, Clock::now() + std::chrono::seconds(10)));
  EXPECT_EQ(line, "up");
  EXPECT_EQ(child->wait_for(std::chrono::seconds(30)), 0);
}

TEST(ChildProcess, ThrowsForAMissingProgram) {
  EXPECT_THROW(ChildProcess::spawn({"/nonexistent/iomb-program"}), std::system_error);
  EXPECT_THROW(ChildProcess::spawn({"iomb-no-such-program"}), std::system_error);
  EXPECT_THROW(ChildProcess::spawn(std::vector<std::string>{}), std::system_error);
  ChildProcess::Options bad_cwd = shell("true");
  bad_cwd.cwd = "/nonexistent/dir";
  EXPECT_THROW(ChildProcess::spawn(std::move(bad_cwd)), std::system_error);
}

TEST(ChildProcess, ReadsStdoutLinesWithADeadline) {
  ChildProcess::Options o =
      shell("echo one; printf 'two\\nthr'; sleep 0.3; echo ee; exec sleep 30");
  o.out = Output::kTail;
  o.err = Output::kTail;
  ChildProcess child = ChildProcess::spawn(std::move(o));
  std::string line;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  ASSERT_TRUE(child.read_line(&line, deadline));
  EXPECT_EQ(line, "one");
  ASSERT_TRUE(child.read_line(&line, deadline));
  EXPECT_EQ(line, "two");
  ASSERT_TRUE(child.read_line(&line, deadline));
  EXPECT_EQ(line, "three");
  // Nothing more is printed: the deadline ends the wait.
  const auto t0 = Clock::now();
  EXPECT_FALSE(child.read_line(&line, Clock::now() + milliseconds(100)));
  EXPECT_GE(Clock::now() - t0, milliseconds(100));
  EXPECT_EQ(exit_code_of(child.wait_or_kill(milliseconds(0))), -SIGKILL);
}

TEST(ChildProcess, ReadLineEndsAtEndOfFile) {
  ChildProcess::Options o = shell("echo last; printf unterminated");
  o.out = Output::kTail;
  ChildProcess child = ChildProcess::spawn(std::move(o));
  std::string line;
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  ASSERT_TRUE(child.read_line(&line, deadline));
  EXPECT_EQ(line, "last");
  EXPECT_FALSE(child.read_line(&line, deadline));
  EXPECT_LT(Clock::now(), deadline);
  EXPECT_EQ(child.wait_for(std::chrono::seconds(30)), 0);
}

TEST(ChildProcess, TailStaysBoundedForAChildThatPrintsForever) {
  ChildProcess::Options o = shell("while :; do echo 0123456789abcdef; echo e >&2; done");
  o.out = Output::kTail;
  o.err = Output::kTail;
  o.tail_bytes = 1024;
  ChildProcess child = ChildProcess::spawn(std::move(o));
  // Far more than a pipe holds: the child would block here if nobody drained it.
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_FALSE(child.wait_for(milliseconds(0)).has_value());
  EXPECT_LE(child.stdout_text().size(), 1024u);
  EXPECT_GE(child.stdout_text().size(), 512u);
  EXPECT_LE(child.stderr_text().size(), 1024u);
  EXPECT_NE(child.stderr_text().find("e\ne\n"), std::string::npos);
  std::string line;
  EXPECT_TRUE(child.read_line(&line, Clock::now() + std::chrono::seconds(5)));
  EXPECT_EQ(line, "0123456789abcdef");
  child.wait_or_kill(milliseconds(0));
}

TEST(ChildProcess, LogFileEnvironmentAndWorkingDirectory) {
  const std::string dir = std::filesystem::temp_directory_path().string();
  const std::string log = dir + "/iomb-child-log-" + std::to_string(getpid());
  ChildProcess::Options o = shell("pwd; echo \"$IOMB_TEST_VALUE\" >&2");
  o.out = Output::kLogFile;
  o.err = Output::kLogFile;
  o.log_path = log;
  o.cwd = "/";
  o.env = {"IOMB_TEST_VALUE=forty-two"};
  ChildProcess child = ChildProcess::spawn(std::move(o));
  EXPECT_EQ(child.wait_for(std::chrono::seconds(30)), 0);
  ChildProcess cat = ChildProcess::spawn({"cat", log});
  EXPECT_EQ(cat.wait_for(std::chrono::seconds(30)), 0);
  EXPECT_EQ(cat.stdout_text(), "/\nforty-two\n");
  std::filesystem::remove(log);
}

TEST(ChildProcess, StdinIsDevNull) {
  ChildProcess child = ChildProcess::spawn({"cat"});
  EXPECT_EQ(child.wait_for(std::chrono::seconds(30)), 0);
  EXPECT_EQ(child.stdout_text(), "");
}

TEST(ChildProcess, PinsTheChildToTheGivenCpus) {
  cpu_set_t mine;
  ASSERT_EQ(sched_getaffinity(0, sizeof mine, &mine), 0);
  int first = 0;
  while (!CPU_ISSET(first, &mine)) ++first;
  ChildProcess::Options o = shell("grep Cpus_allowed_list /proc/self/status");
  o.cpus = {first};
  ChildProcess child = ChildProcess::spawn(std::move(o));
  EXPECT_EQ(child.wait_for(std::chrono::seconds(30)), 0);
  EXPECT_NE(child.stdout_text().find("\t" + std::to_string(first) + "\n"), std::string::npos)
      << child.stdout_text();
}

TEST(ChildProcess, OwnGroupIsSignalledAndSweptAsAWhole) {
  const std::string marker = std::filesystem::temp_directory_path().string() + "/iomb-child-late-" +
                             std::to_string(getpid());
  ChildProcess::Options o = shell("(sleep 1; touch " + marker + ") & exit 0");
  o.own_group = true;
  o.kill_group_on_exit = true;
  ChildProcess child = ChildProcess::spawn(std::move(o));
  EXPECT_EQ(getpgid(child.pid()), child.pid());
  EXPECT_EQ(child.wait_for(std::chrono::seconds(30)), 0);
  std::this_thread::sleep_for(milliseconds(1500));
  // The background child was killed with the group when the leader exited.
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(ChildProcess, ParentDeathSignalReachesTheChild) {
  // An intermediate process starts the child with a parent-death signal, reports its pid and
  // dies without running any destructor: only the kernel can stop the child then.
  int report[2];
  ASSERT_EQ(pipe2(report, O_CLOEXEC), 0);
  pid_t middle = fork();
  ASSERT_GE(middle, 0);
  if (middle == 0) {
    ChildProcess::Options o;
    o.argv = {"sleep", "30"};
    o.parent_death_signal = SIGKILL;
    ChildProcess child = ChildProcess::spawn(std::move(o));
    pid_t pid = child.pid();
    ssize_t n = write(report[1], &pid, sizeof pid);
    _exit(n == sizeof pid ? 0 : 1);
  }
  close(report[1]);
  pid_t pid = -1;
  ASSERT_EQ(read(report[0], &pid, sizeof pid), static_cast<ssize_t>(sizeof pid));
  close(report[0]);
  int status = 0;
  ASSERT_EQ(waitpid(middle, &status, 0), middle);
  EXPECT_EQ(exit_code_of(status), 0);
  // The orphan is killed and reaped by its new parent; a zombie counts as gone.
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(stat, text);
    gone = !stat || text.find(") Z") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(gone);
  if (!gone) kill(pid, SIGKILL);
}

TEST(TailLines, KeepsTheLastLines) {
  EXPECT_EQ(tail_lines("a\nb\nc\n", 2), "b\nc");
  EXPECT_EQ(tail_lines("a\nb\nc", 5), "a\nb\nc");
  EXPECT_EQ(tail_lines("\n\n", 2), "");
}

TEST(FindExecutable, FindsExecutablesOnPath) {
  EXPECT_TRUE(find_executable("sh"));
  EXPECT_EQ(find_executable("/bin/sh"), "/bin/sh");
  EXPECT_FALSE(find_executable("/nonexistent/x"));
  EXPECT_FALSE(find_executable("iomb-no-such-program"));
  EXPECT_FALSE(find_executable(""));
}

}  // namespace
}  // namespace iomb::process
