// add_report_command_flags: DIR and the flags as `iomb report` parses them.
#include "harness/report/report_command_options.h"

#include <gtest/gtest.h>

#include "report_test_support.h"

namespace iomb::report {
namespace {

TEST(ReportOptions, ParsesDirAndFlags) {
  testing::TempDir dir;
  CLI::App app;
  ReportOptions o;
  add_report_command_flags(app, o);
  std::vector<std::string> args{"--no-plots", "--reference", "bio", "--out", "/tmp/x", dir.path()};
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  app.parse(args);
  EXPECT_EQ(o.dir, dir.path());
  EXPECT_EQ(o.out, "/tmp/x");
  EXPECT_EQ(o.reference, "bio");
  EXPECT_FALSE(o.plots);
}

TEST(ReportOptions, DefaultsAndAMissingDirectory) {
  CLI::App app;
  ReportOptions o;
  add_report_command_flags(app, o);
  EXPECT_EQ(o.reference, "nio:reactors");
  EXPECT_TRUE(o.plots);
  std::vector<std::string> args{"/nonexistent/results"};
  EXPECT_THROW(app.parse(args), CLI::ValidationError);
}

}  // namespace
}  // namespace iomb::report
