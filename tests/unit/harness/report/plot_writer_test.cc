// gnuplot_data / gnuplot_script: blocks per series, log-axis filtering, the 1/(1-p) percentile
// axis labels, flagged points and the floor line.
#include "harness/report/plot_writer.h"

#include <gtest/gtest.h>

#include "harness/report/plot_builder.h"

namespace iomb::report {
namespace {

PlotSpec two_series() {
  PlotSpec p;
  p.stem = "t";
  p.title = "Say \"hi\"";
  p.log_x = p.log_y = true;
  p.series = {{"a", {{1, 10, 9.0, 11.0, false}, {100, 0}}},
              {"b", {{10, 5, std::nullopt, std::nullopt, true}}}};
  p.marked_title = "flagged";
  return p;
}

TEST(PlotWriter, DataHasOneIndexBlockPerSeriesAndDropsWhatLogAxesCannotShow) {
  std::string d = gnuplot_data(two_series());
  EXPECT_EQ(d,
            "# a: x y y_low y_high marked\n1 10 9 11 0\n\n\n# b: x y y_low y_high marked\n"
            "10 5 5 5 1\n");
}

TEST(PlotWriter, ScriptDrawsSvgThenPngWithErrorBarsMarksAndFloor) {
  PlotSpec p = two_series();
  p.horizontal = 4.2;
  p.horizontal_title = "floor";
  std::string s = gnuplot_script(p, "pngcairo");
  EXPECT_NE(s.find("set output \"t.svg\""), std::string::npos);
  EXPECT_NE(s.find("set terminal pngcairo"), std::string::npos);
  EXPECT_LT(s.find("t.svg"), s.find("t.png"));
  EXPECT_NE(s.find("set title \"Say \\\"hi\\\"\""), std::string::npos);
  EXPECT_NE(s.find("index 0 using 1:2:3:4 with yerrorlines"), std::string::npos);
  EXPECT_NE(s.find("($5 > 0 ? $2 : 1/0)"), std::string::npos);
  EXPECT_NE(s.find("title \"flagged\""), std::string::npos);
  EXPECT_NE(s.find("4.2 with lines dt 2"), std::string::npos);
  EXPECT_NE(s.find("set logscale x 10"), std::string::npos);
  std::string plain = gnuplot_script(p, "png");
  EXPECT_NE(plain.find("set terminal png size"), std::string::npos);
  EXPECT_EQ(plain.find("pngcairo"), std::string::npos);
}

// Past gnuplot's 8 colours the 9th series reuses colour 1, so it must differ in dash and
// point shape from the 1st.
TEST(PlotWriter, SeriesBeyondEightColoursDifferByDashAndPoint) {
  PlotSpec p;
  p.stem = "many";
  for (int i = 0; i < 9; ++i) p.series.push_back({"s" + std::to_string(i), {{1, 1.0 + i}}});
  std::string s = gnuplot_script(p, "png");
  EXPECT_NE(s.find("index 0 using 1:2 with linespoints lw 2 dt 1 pt 7 ps 0.8 lc 1 title"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("index 8 using 1:2 with linespoints lw 2 dt 2 pt 5 ps 0.8 lc 1 title"),
            std::string::npos)
      << s;
}

TEST(PlotWriter, PercentileAxisIsLabelledInNinesUpToTheData) {
  PlotSpec p;
  p.stem = "s";
  p.log_x = p.log_y = p.percentile_axis = true;
  p.series = {{"a", {{percentile_axis_x(50), 1}, {percentile_axis_x(99.9), 5}}}};
  EXPECT_DOUBLE_EQ(percentile_axis_x(99), 100);
  std::string s = gnuplot_script(p, "pngcairo");
  EXPECT_NE(s.find("set xtics (\"50%%\" 2, \"90%%\" 10, \"99%%\" 100, \"99.9%%\" 1000)"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("set xrange [1:1000]"), std::string::npos);
}

TEST(PlotWriter, EmptySeriesStillKeepsTheBlockCount) {
  PlotSpec p;
  p.log_y = true;
  p.series = {{"a", {{1, 0}}}, {"b", {{1, 2}}}};
  EXPECT_EQ(gnuplot_data(p),
            "# a: x y y_low y_high marked\nnan nan nan nan 0\n\n\n"
            "# b: x y y_low y_high marked\n1 2 2 2 0\n");
}

}  // namespace
}  // namespace iomb::report
