// Writes a PlotSpec as a gnuplot data file (<stem>.dat, one index block per series) and a
// script (<stem>.gp) that renders <stem>.svg and <stem>.png when run from the same directory,
// so users can edit and re-run it. Any thread; writes only those two files.
#pragma once

#include <string>

#include "harness/report/plot_spec.h"

namespace iomb::report {

// The gnuplot script text; `png_terminal` is "pngcairo" or "png".
std::string gnuplot_script(const PlotSpec& plot, const std::string& png_terminal);
std::string gnuplot_data(const PlotSpec& plot);

// Throws std::system_error when a file cannot be written.
void write_plot_files(const PlotSpec& plot, const std::string& dir,
                      const std::string& png_terminal);

}  // namespace iomb::report
