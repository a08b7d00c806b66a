// Rendering a Comparison: an aligned plain-text table for the terminal and a Markdown table for
// a pull-request comment; one line per (benchmark, metric), then a summary line. Pure
// functions; any thread.
#pragma once

#include <string>

#include "harness/compare/comparison.h"

namespace iomb::compare {

std::string format_terminal_table(const Comparison& comparison);
std::string format_markdown_table(const Comparison& comparison);

// "1 regressed, 2 improved, 3 no change, 0 insufficient data (alpha 0.05, threshold 5%)".
std::string format_summary(const Comparison& comparison);

// "" or a line saying how many repetitions per side a significant verdict needs, when some
// benchmark had too few to reach p < alpha.
std::string format_repetitions_hint(const Comparison& comparison);

// Value formatting used by the tables: "52.1k/s", "120us", "9.10us"; "+5.9%", "n/a".
std::string format_metric_value(const std::string& metric, double value);
std::string format_change(double change);

}  // namespace iomb::compare
