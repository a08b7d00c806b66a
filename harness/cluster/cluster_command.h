// `iomb cluster` (DESIGN §4.7): every (nodes, strategy, session size) of the options as one lab
// run each, in that order, then the result file (cluster.json), summary.md and the plots in the
// output directory. Main thread.
#pragma once

#include "harness/cluster/cluster_options.h"

namespace iomb::cluster {

// 0 when every run produced figures, 1 when one failed, 2 for bad flags (CLI11's).
int run_cluster_command(const ClusterOptions& options, int argc, char** argv);

// `iomb report DIR` for a directory holding cluster.json: summary.md and the plots again from
// the result file alone (the same code the cluster command ends with). 0, or 1 when the file
// cannot be read.
int render_cluster_report(const std::string& dir);

}  // namespace iomb::cluster
