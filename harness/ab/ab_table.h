// Rendering an AbComparison: one line per (cell, metric) for the terminal, e.g.
//   nio reactors echo 64B c1: cpu/req +18.2 % (median ratio 1.182, min 1.150, max 1.210,
//   5/5 pairs worse, p=0.031) REGRESSED
// a Markdown table for a pull-request comment, and the summary line. Pure; any thread.
#pragma once

#include <string>

#include "harness/ab/ab_comparison.h"

namespace iomb::ab {

// "nio reactors echo 64B c1" from "echo/nio:reactors/c:1/d:1/s:64" (the name itself when it
// does not parse).
std::string cell_label(const std::string& name);

std::string format_ab_terminal(const AbComparison& comparison);
std::string format_ab_markdown(const AbComparison& comparison);

// "8 cells: 1 REGRESSED, 0 improved, 7 no change, 0 INSUFFICIENT DATA (...)", plus a line on
// how many repetitions reach alpha when some cell had insufficient data.
std::string format_ab_summary(const AbComparison& comparison);

}  // namespace iomb::ab
