// What `iomb cluster` writes besides its result file: summary.md (one row per run, the seed's
// trade-offs as measured columns) and gnuplot plots (throughput and errors over time around the
// fault, one line per strategy; client bytes per request vs session size; replication bytes per
// request vs the number of nodes), each from the result entries only, so a result file can be
// rendered again later. Main thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace iomb::cluster {

// The Markdown table of the runs (error entries get a row saying why).
std::string cluster_summary_markdown(const std::vector<nlohmann::json>& entries);

// Writes the plots' data and scripts into `dir` and runs gnuplot (when installed). Returns the
// SVG files written; *problem says why a plot is missing ("" when none is).
std::vector<std::string> write_cluster_plots(const std::string& dir,
                                             const std::vector<nlohmann::json>& entries,
                                             std::string* problem);

}  // namespace iomb::cluster
