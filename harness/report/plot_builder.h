// Decides which plots a report has and fills them from the cell groups: throughput, server CPU
// per request and RSS vs connections (closed loop), the latency percentile spectrum per
// connection count, and latency and CPU vs offered load (open loop). Pure; any thread.
#pragma once

#include <vector>

#include "harness/report/cell_groups.h"
#include "harness/report/plot_spec.h"

namespace iomb::report {

// Only plots with at least one point.
std::vector<PlotSpec> build_plots(const std::vector<CellGroup>& groups);

// x of percentile p (in percent) on the 1/(1-p) axis.
double percentile_axis_x(double percent);

}  // namespace iomb::report
