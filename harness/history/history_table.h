// `iomb history`'s report as text: a table for the terminal and Markdown for a pull-request
// comment or a job summary. Pure functions; any thread.
#pragma once

#include <string>

#include "harness/history/history_analysis.h"

namespace iomb::history {

// A measure's value with its unit, three significant digits ("12.3k req/s", "45.6us",
// "4.10us/req", "2.01 syscalls/req").
std::string format_measure_value(const result::Measure& measure, double value);

std::string format_history_terminal(const HistoryReport& report);
std::string format_history_markdown(const HistoryReport& report);

}  // namespace iomb::history
