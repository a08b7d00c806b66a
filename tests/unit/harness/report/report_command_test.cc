// run_report_command / generate_report on the fixture matrix (tests/unit/harness/report/fixtures):
// the files, the rows, ratios and flags of summary.md, the offline index.html, the plots.
#include "harness/report/report_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "harness/report/gnuplot_runner.h"
#include "report_test_support.h"

namespace iomb::report {
namespace {

namespace fs = std::filesystem;
using testing::kFixtureDir;
using testing::read_file;
using testing::TempDir;

ReportOptions fixture_options(const TempDir& out) {
  ReportOptions o;
  o.dir = kFixtureDir;
  o.out = out.path();
  o.quiet = true;
  return o;
}

// The markdown table row that starts with `| first | second |`.
std::string row_of(const std::string& text, const std::string& section, const std::string& start) {
  size_t from = text.find("## " + section + "\n");
  if (from == std::string::npos) return "";
  size_t end = text.find("\n## ", from + 1);
  size_t at = text.find("\n" + start, from);
  if (at == std::string::npos || at > end) return "";
  return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

// One report for the whole suite: rendering the plots takes seconds.
class ReportOnFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = new TempDir;
    outcome_ = new ReportOutcome(generate_report(fixture_options(*out_)));
    summary_ = new std::string(read_file(outcome_->summary_path));
    html_ = new std::string(read_file(outcome_->html_path));
  }
  static void TearDownTestSuite() {
    delete html_;
    delete summary_;
    delete outcome_;
    delete out_;
  }
  void SetUp() override { ASSERT_FALSE(out_->path().empty()); }

  static TempDir* out_;
  static ReportOutcome* outcome_;
  static std::string* summary_;
  static std::string* html_;
};

TempDir* ReportOnFixture::out_ = nullptr;
ReportOutcome* ReportOnFixture::outcome_ = nullptr;
std::string* ReportOnFixture::summary_ = nullptr;
std::string* ReportOnFixture::html_ = nullptr;

TEST_F(ReportOnFixture, WritesSummaryAndPageIntoOut) {
  EXPECT_EQ(outcome_->summary_path, out_->path() + "/summary.md");
  EXPECT_EQ(outcome_->html_path, out_->path() + "/index.html");
  EXPECT_FALSE(summary_->empty());
  EXPECT_FALSE(html_->empty());
  EXPECT_FALSE(fs::exists(kFixtureDir + "/summary.md")) << "--out must keep DIR untouched";
}

TEST_F(ReportOnFixture, CountsTheDuplicatedRawRunOnceAndWarnsAboutNonResultFiles) {
  // 106 entries in results.json; the raw per-run file repeats one of them verbatim.
  EXPECT_EQ(outcome_->entries, 106u);
  EXPECT_NE(summary_->find("matrix-config.json: no benchmarks array"), std::string::npos);
}

TEST_F(ReportOnFixture, SummaryHasOneSectionPerProtocolSizeAndLoop) {
  for (const char* title :
       {"## echo, 64B, pipeline 1, closed loop", "## echo, 4KiB, pipeline 1, closed loop",
        "## http, 64B, pipeline 1, closed loop",
        "## echo, 64B, pipeline 1, 100 connections, open loop", "## Skipped and failed",
        "## Context"}) {
    EXPECT_NE(summary_->find(title), std::string::npos) << title;
  }
}

TEST_F(ReportOnFixture, ThroughputMatrixHasModelsByConnectionsWithMinMaxAndRatios) {
  const std::string section = "echo, 64B, pipeline 1, closed loop";
  EXPECT_NE(summary_->find("| Model | 1 conns | 100 conns | 1000 conns |"), std::string::npos);
  // Reference first; medians of reps scaled 1.0/0.95/1.05.
  EXPECT_EQ(row_of(*summary_, section, "| nio:reactors | 30.0k"),
            "| nio:reactors | 30.0k (28.5k–31.5k) 1.00× | 200.0k (190.0k–210.0k) 1.00× | "
            "**180.0k (171.0k–189.0k) 1.00× [client-bound]** |");
  EXPECT_EQ(row_of(*summary_, section, "| bio:thread-per-conn | 28.0k"),
            "| bio:thread-per-conn | 28.0k (26.6k–29.4k) 0.93× | 120.0k (114.0k–126.0k) 0.60× | "
            "60.0k (57.0k–63.0k) 0.33× |");
  EXPECT_NE(row_of(*summary_, section, "| asio:context-per-thread | 27.0k").find("0.80×"),
            std::string::npos);
  EXPECT_EQ(row_of(*summary_, section, "| aio:rings | **skipped**"),
            "| aio:rings | **skipped** | **skipped** | **skipped** |");
}

TEST_F(ReportOnFixture, DetailRowHasLatencyCpuFloorRatioAndRss) {
  // nio 100 conns: p50 = 100/200k s = 500 µs, p99 2.5×, p99.9 5×; CPU 9 µs = 2.14× the 4.2 µs
  // floor; RSS 4000 + 10·100 KiB.
  EXPECT_EQ(row_of(*summary_, "echo, 64B, pipeline 1, closed loop", "| nio:reactors | 100 |"),
            "| nio:reactors | 100 | 200.0k | 190.0k–210.0k | 1.00× | 500 | 1,250 | 2,500 | 9.00 | "
            "2.14× | 1.00× | 4.9 MiB | 1 | 3 |  |");
  // bio at 100 conns: CPU 16 µs = 1.78× nio's; 101 threads.
  EXPECT_EQ(
      row_of(*summary_, "echo, 64B, pipeline 1, closed loop", "| bio:thread-per-conn | 100 |"),
      "| bio:thread-per-conn | 100 | 120.0k | 114.0k–126.0k | 0.60× | 833 | 2,083 | 4,167 | "
      "16.0 | 3.81× | 1.78× | 10.7 MiB | 101 | 3 |  |");
  // 4 KiB compares to the 4 KiB floor (6.1 µs): 9 µs × 1.4 = 12.6 µs = 2.07×.
  EXPECT_NE(row_of(*summary_, "echo, 4KiB, pipeline 1, closed loop", "| nio:reactors | 100 |")
                .find("| 12.6 | 2.07× |"),
            std::string::npos);
}

TEST_F(ReportOnFixture, FlagsClientBoundSaturatedAndFailedCells) {
  EXPECT_NE(row_of(*summary_, "echo, 64B, pipeline 1, closed loop", "| nio:reactors | 1000 |")
                .find("**client-bound 3/3**"),
            std::string::npos);
  const std::string open = "echo, 64B, pipeline 1, 100 connections, open loop";
  std::string bio = row_of(*summary_, open, "| bio:thread-per-conn | 80.0k/s |");
  EXPECT_NE(bio.find("**61.0k/s**"), std::string::npos) << bio;
  EXPECT_NE(bio.find("**saturated 1/1**"), std::string::npos) << bio;
  EXPECT_EQ(row_of(*summary_, open, "| nio:reactors | 80.0k/s |").find("saturated"),
            std::string::npos);
  std::string asio =
      row_of(*summary_, "http, 64B, pipeline 1, closed loop", "| asio:context-per-thread | 1000 |");
  EXPECT_NE(asio.find("failed 1/3: verification failed: response body mismatch"), std::string::npos)
      << asio;
  EXPECT_NE(asio.find("| 2 |"), std::string::npos) << "two good repetitions reduced: " << asio;
}

TEST_F(ReportOnFixture, SkippedModelIsListedWithItsReason) {
  std::string row = row_of(*summary_, "Skipped and failed", "| aio:rings |");
  EXPECT_NE(row.find("kernel.io_uring_disabled=2"), std::string::npos) << row;
  EXPECT_NE(row.find("echo/aio:rings/c:100/d:1/s:64/r:20000"), std::string::npos) << row;
  EXPECT_NE(row.find("http/aio:rings/c:1/d:1/s:64"), std::string::npos) << row;
}

TEST_F(ReportOnFixture, ContextNamesMachineKernelPinningDateShaAndFloor) {
  for (const char* line :
       {"| Machine | bench-vm |", "| CPU | AMD EPYC 7763 64-Core Processor |", "| CPUs | 2 |",
        "| Kernel | Linux 6.18.0-1-amd64 |", "| Pinning | server on CPUs 1, client on CPUs 0 |",
        "| Date | 2026-11-26T08:00:00+00:00 |", "| Git sha | f68a17c |",
        "| Floor | 64B recv+send 4.20 µs, 4KiB recv+send 6.10 µs |",
        "Reference for the × ref columns: nio:reactors"}) {
    EXPECT_NE(summary_->find(line), std::string::npos) << line;
  }
}

TEST_F(ReportOnFixture, HtmlReferencesOnlyLocalFilesThatExist) {
  EXPECT_EQ(html_->find("<script"), std::string::npos);
  EXPECT_EQ(html_->find("://"), std::string::npos) << "no URL of any scheme";
  EXPECT_EQ(html_->find("@import"), std::string::npos);
  // Every src="..." and href="..." value (std::regex trips GCC 12's -Wmaybe-uninitialized
  // under ASan, so a plain scan).
  std::set<std::string> files;
  for (const std::string attr : {" src=\"", " href=\""}) {
    for (size_t at = html_->find(attr); at != std::string::npos; at = html_->find(attr, at + 1)) {
      size_t start = at + attr.size();
      std::string target = html_->substr(start, html_->find('"', start) - start);
      if (!target.starts_with("#")) files.insert(target);
    }
  }
  for (const auto& f : files) {
    EXPECT_EQ(f.find('/'), std::string::npos) << f << " must sit beside index.html";
    EXPECT_TRUE(fs::exists(out_->path() + "/" + f)) << f;
  }
  EXPECT_EQ(files.empty(), outcome_->plots.empty());
  EXPECT_NE(html_->find("<td class=\"flag\">skipped</td>"), std::string::npos);
}

TEST_F(ReportOnFixture, PlotsAreNonEmptySvgAndPngWhenGnuplotRuns) {
  std::string why;
  if (!find_gnuplot("", &why)) GTEST_SKIP() << why;
  EXPECT_EQ(outcome_->plot_note, "");
  for (const char* stem : {"throughput_echo_64B_d1", "cpu_echo_64B_d1", "rss_echo_64B_d1",
                           "spectrum_echo_64B_d1_c100", "latency_vs_load_echo_64B_d1_c100_open",
                           "cpu_vs_load_echo_64B_d1_c100_open", "throughput_http_64B_d1"}) {
    EXPECT_NE(std::find(outcome_->plots.begin(), outcome_->plots.end(), stem),
              outcome_->plots.end())
        << stem;
    for (const char* ext : {".svg", ".png", ".gp", ".dat"}) {
      std::string path = out_->path() + "/" + stem + ext;
      ASSERT_TRUE(fs::exists(path)) << path;
      EXPECT_GT(fs::file_size(path), 100u) << path;
    }
    EXPECT_EQ(read_file(out_->path() + "/" + stem + ".png").substr(1, 3), "PNG");
    EXPECT_NE(read_file(out_->path() + "/" + stem + ".svg").find("<svg"), std::string::npos);
    EXPECT_NE(html_->find(std::string("src=\"") + stem + ".svg\""), std::string::npos) << stem;
  }
  // The spectrum's x axis is labelled in percentiles (1/(1-p) scale).
  std::string svg = read_file(out_->path() + "/spectrum_echo_64B_d1_c100.svg");
  for (const char* label : {">50%<", ">99%<", ">99.9%<", ">99.999%<"}) {
    EXPECT_NE(svg.find(label), std::string::npos) << label;
  }
}

TEST(ReportMain, MissingGnuplotIsNotedAndScriptsStillWritten) {
  TempDir out;
  ReportOptions o = fixture_options(out);
  o.gnuplot = "/nonexistent/gnuplot";
  ReportOutcome r = generate_report(o);
  EXPECT_TRUE(r.plots.empty());
  std::string summary = read_file(r.summary_path);
  EXPECT_NE(summary.find("Plots skipped: /nonexistent/gnuplot is not an executable"),
            std::string::npos);
  EXPECT_NE(read_file(r.html_path).find("Plots skipped"), std::string::npos);
  EXPECT_TRUE(fs::exists(out.path() + "/throughput_echo_64B_d1.gp"));
  EXPECT_FALSE(fs::exists(out.path() + "/throughput_echo_64B_d1.svg"));
  EXPECT_EQ(read_file(r.html_path).find("<img"), std::string::npos);
}

TEST(ReportMain, NoPlotsWritesNoPlotFiles) {
  TempDir out;
  ReportOptions o = fixture_options(out);
  o.plots = false;
  ReportOutcome r = generate_report(o);
  EXPECT_TRUE(r.plots.empty());
  EXPECT_FALSE(fs::exists(out.path() + "/throughput_echo_64B_d1.gp"));
}

TEST(ReportMain, OtherReferenceChangesTheRatios) {
  TempDir out;
  ReportOptions o = fixture_options(out);
  o.reference = "bio";  // a bare model name: its first mode
  o.plots = false;
  std::string summary = read_file(generate_report(o).summary_path);
  EXPECT_NE(summary.find("Reference for the × ref columns: bio:thread-per-conn"),
            std::string::npos);
  // nio / bio at 100 connections: 200k / 120k.
  EXPECT_NE(
      summary.find("| nio:reactors | 30.0k (28.5k–31.5k) 1.07× | 200.0k (190.0k–210.0k) 1.67×"),
      std::string::npos);
}

TEST(ReportMain, UnknownReferenceIsSaidAndRatiosOmitted) {
  TempDir out;
  ReportOptions o = fixture_options(out);
  o.reference = "nope:none";
  o.plots = false;
  std::string summary = read_file(generate_report(o).summary_path);
  EXPECT_NE(summary.find("Reference nope:none is not in these results"), std::string::npos);
  EXPECT_NE(summary.find("| nio:reactors | 30.0k (28.5k–31.5k) |"), std::string::npos);
}

TEST(ReportMain, DirectoryWithoutResultsFailsWithExitCodeOne) {
  TempDir empty;
  ReportOptions o;
  o.dir = empty.path();
  o.quiet = true;
  EXPECT_EQ(run_report_command(o), 1);
  EXPECT_FALSE(fs::exists(empty.path() + "/summary.md"));
  testing::write_file(empty.path() + "/bad.json", "{ not json");
  EXPECT_EQ(run_report_command(o), 1);
}

TEST(ReportMain, WritesIntoDirWithoutOut) {
  TempDir dir;
  fs::copy_file(kFixtureDir + "/results.json", dir.path() + "/results.json");
  ReportOptions o;
  o.dir = dir.path();
  o.quiet = true;
  o.plots = false;
  EXPECT_EQ(run_report_command(o), 0);
  EXPECT_TRUE(fs::exists(dir.path() + "/summary.md"));
  EXPECT_TRUE(fs::exists(dir.path() + "/index.html"));
}

}  // namespace
}  // namespace iomb::report
