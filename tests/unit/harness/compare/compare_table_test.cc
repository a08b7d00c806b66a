#include "harness/compare/compare_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace iomb::compare {
namespace {

Comparison sample_comparison() {
  ResultFile base{"base.json",
                  {BenchmarkSamples{"echo/bio:thread/c:1/d:1/s:64",
                                    {100e3, 101e3, 99e3, 100.5e3, 99.5e3},
                                    {50, 51, 49, 50.5, 49.5},
                                    {9000, 9010, 8990, 9005, 8995},
                                    false},
                   BenchmarkSamples{"gone", {1, 2}, {}, {1, 2}, false}}};
  ResultFile next{"new.json",
                  {BenchmarkSamples{"echo/bio:thread/c:1/d:1/s:64",
                                    {80e3, 81e3, 79e3, 80.5e3, 79.5e3},
                                    {50, 51, 49, 50.5, 49.5},
                                    {9000, 9010, 8990, 9005, 8995},
                                    false}}};
  return compare_results(base, next, CompareOptions{});
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(FormatValues, UnitsAndSigns) {
  EXPECT_EQ(format_metric_value("throughput", 52100), "52.1k/s");
  EXPECT_EQ(format_metric_value("throughput", 1.5e6), "1.50M/s");
  EXPECT_EQ(format_metric_value("p99", 120), "120us");
  EXPECT_EQ(format_metric_value("p99", 2500), "2.50ms");
  EXPECT_EQ(format_metric_value("cpu/req", 850), "850ns");
  EXPECT_EQ(format_metric_value("cpu/req", 9100), "9.10us");
  EXPECT_EQ(format_change(0.059), "+5.9%");
  EXPECT_EQ(format_change(-0.2), "-20.0%");
  EXPECT_EQ(format_change(NAN), "n/a");
}

TEST(TerminalTable, OneLinePerMetricAlignedWithSummary) {
  std::string text = format_terminal_table(sample_comparison());
  auto rows = lines(text);
  ASSERT_GE(rows.size(), 5u);
  EXPECT_EQ(rows[0].rfind("benchmark", 0), 0u);
  EXPECT_NE(rows[1].find("echo/bio:thread/c:1/d:1/s:64"), std::string::npos);
  EXPECT_NE(rows[1].find("throughput"), std::string::npos);
  EXPECT_NE(rows[1].find("100k/s"), std::string::npos);
  EXPECT_NE(rows[1].find("80.0k/s"), std::string::npos);
  EXPECT_NE(rows[1].find("-20.0%"), std::string::npos);
  EXPECT_NE(rows[1].find("0.008"), std::string::npos);
  EXPECT_NE(rows[1].find("regressed"), std::string::npos);
  EXPECT_EQ(rows[2].rfind(" ", 0), 0u);  // the name is not repeated for the next metric
  // Columns line up: "metric" starts at the same offset on the header and the data lines.
  const size_t metric_column = rows[0].find("metric");
  EXPECT_EQ(rows[1].find("throughput"), metric_column);
  EXPECT_EQ(rows[2].find("p99"), metric_column);
  EXPECT_NE(text.find("only in base: gone"), std::string::npos);
  EXPECT_NE(rows.back().find("1 regressed, 0 improved, 0 no change, 0 insufficient data"),
            std::string::npos)
      << rows.back();
}

TEST(MarkdownTable, WellFormedRows) {
  std::string text = format_markdown_table(sample_comparison());
  auto rows = lines(text);
  ASSERT_GE(rows.size(), 5u);
  EXPECT_EQ(rows[0], "| benchmark | metric | base | new | change | p | n | judged by | verdict |");
  EXPECT_NE(rows[2].find("| U test |"), std::string::npos) << rows[2];
  const auto pipes = std::count(rows[0].begin(), rows[0].end(), '|');
  EXPECT_EQ(std::count(rows[1].begin(), rows[1].end(), '|'), pipes);
  for (size_t i = 2; i < 5; ++i) {
    EXPECT_EQ(std::count(rows[i].begin(), rows[i].end(), '|'), pipes) << rows[i];
  }
  EXPECT_NE(rows[2].find("`echo/bio:thread/c:1/d:1/s:64`"), std::string::npos);
  EXPECT_NE(rows[2].find("**regressed**"), std::string::npos);
  EXPECT_NE(text.find("- only in base: gone"), std::string::npos);
}

TEST(RepetitionsHint, SaysHowManyRepetitionsAreNeeded) {
  EXPECT_EQ(format_repetitions_hint(sample_comparison()), "");  // 5 vs 5 is enough
  ResultFile three{"b", {BenchmarkSamples{"a", {1, 2, 3}, {}, {1, 2, 3}, false}}};
  Comparison c = compare_results(three, three, CompareOptions{});
  const std::string hint = format_repetitions_hint(c);
  // 3 vs 3 reaches at best p = 0.1; 4 vs 4 reaches 2/70 < 0.05.
  EXPECT_NE(hint.find("with 3 repetitions"), std::string::npos) << hint;
  EXPECT_NE(hint.find("at least 4"), std::string::npos) << hint;
  EXPECT_NE(format_terminal_table(c).find(hint), std::string::npos);
  EXPECT_NE(format_markdown_table(c).find(hint), std::string::npos);
}

TEST(MarkdownTable, EscapesPipesInNames) {
  ResultFile base{"b", {BenchmarkSamples{"a|b", {1, 2}, {}, {1, 2}, false}}};
  std::string text = format_markdown_table(compare_results(base, base, CompareOptions{}));
  EXPECT_NE(text.find("a\\|b"), std::string::npos);
}

}  // namespace
}  // namespace iomb::compare
