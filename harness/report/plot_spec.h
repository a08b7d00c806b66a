// What one plot shows, independent of gnuplot: series of points with optional error bars and
// marked (flagged) points. Plain data; any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace iomb::report {

struct PlotPoint {
  double x = 0;
  double y = 0;
  std::optional<double> y_low, y_high;  // error bar (min–max over repetitions)
  bool marked = false;                  // drawn again with a large open circle
};

struct PlotSeries {
  std::string title;
  std::vector<PlotPoint> points;
};

struct PlotSpec {
  std::string stem;      // file names: <stem>.gp, .dat, .svg, .png
  std::string group_id;  // the CellGroup it belongs to
  std::string title, x_label, y_label;
  bool log_x = false;
  bool log_y = false;
  // x = 1/(1-p) for percentile p, labelled 50%, 90%, 99%, 99.9%... (HdrHistogram style).
  bool percentile_axis = false;
  std::string y_format;              // gnuplot format of y tic labels; "" = default
  std::string marked_title;          // legend of the marked points
  std::optional<double> horizontal;  // a dashed reference line (the floor)
  std::string horizontal_title;
  std::vector<PlotSeries> series;

  bool empty() const;
};

}  // namespace iomb::report
