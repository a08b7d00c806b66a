// Renders the fixture report's index.html in headless Chromium (when /usr/bin/chromium exists;
// skipped otherwise: it is not in scripts/install-deps.sh, too big for CI) and checks the
// screenshot is a real picture, not a blank or error page.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness/process/child_process.h"
#include "harness/process/process_runner.h"
#include "harness/report/report_command.h"
#include "report_test_support.h"

namespace iomb::report {

using process::find_executable;
using process::ProcessResult;
using process::run_process;
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;

constexpr const char* kChromium = "/usr/bin/chromium";

uint32_t big_endian(const std::string& bytes, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

TEST(HtmlScreenshot, ChromiumRendersTheReportPage) {
  if (access(kChromium, X_OK) != 0) GTEST_SKIP() << kChromium << " not installed";
  TempDir out;
  TempDir profile;  // a fresh browser profile, removed afterwards
  ASSERT_FALSE(out.path().empty());
  ASSERT_FALSE(profile.path().empty());
  ReportOptions o;
  o.dir = testing::kFixtureDir;
  o.out = out.path();
  o.quiet = true;
  ReportOutcome r = generate_report(o);

  const std::string shot = out.path() + "/screenshot.png";
  ProcessResult p = run_process(
      {kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
       "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
       "--user-data-dir=" + profile.path(), "--window-size=1400,2400", "--screenshot=" + shot,
       "file://" + r.html_path},
      out.path(), out.path() + "/chromium.log", std::chrono::seconds(120));
  ASSERT_TRUE(p.ok()) << p.error << "\n" << read_file(out.path() + "/chromium.log");

  std::string png = read_file(shot);
  ASSERT_GT(png.size(), 33u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(big_endian(png, 16), 1400u);  // width
  EXPECT_EQ(big_endian(png, 20), 2400u);  // height
  // A blank 1400×2400 page compresses to a few KiB; tables, text and plots do not.
  EXPECT_GT(png.size(), 100u * 1024) << "screenshot looks blank: " << shot;
  if (!r.plots.empty()) {
    // Plots in the page mean colour: the page is rendered, not just its text.
    EXPECT_GT(png.size(), 150u * 1024);
  }
}

}  // namespace
}  // namespace iomb::report
