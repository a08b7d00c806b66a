// Change points of a series by E-divisive means (Matteson & James 2014, "A nonparametric
// approach for multiple change point analysis of multivariate data"), the method MongoDB's and
// Apache Otava's performance CI use: bisect recursively at the split that maximizes the
// energy-distance statistic (alpha = 1, i.e. plain absolute differences), and keep a split only
// when a permutation test says it is unlikely under "no change". The split maximizes over the
// right side's end too (the paper's kappa). Pure functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace iomb::history {

struct EDivisiveOptions {
  double max_p_value = 0.05;  // a split is kept when its permutation p-value is at most this
  int permutations = 199;     // p-values are multiples of 1 / (permutations + 1)
  size_t min_segment = 3;     // every segment keeps at least this many points (>= 2)
  uint64_t seed = 0x10b5eed;  // the permutations are drawn from this seed: same input, same answer
};

struct ChangePoint {
  size_t index = 0;      // first point of the new segment (1 .. size - 1)
  double statistic = 0;  // the energy statistic Q at the split
  double p_value = 1;    // share of permutations whose best split scored at least as high
};

// Between-minus-within energy statistic of splitting `segment` at `split` (points [0, split) vs
// [split, size)), scaled by m·k/(m+k) as in the paper. Both sides need at least 2 points. The
// search maximizes this over `split` and over the end of the right side.
double energy_statistic(std::span<const double> segment, size_t split);

// The change points of `series`, sorted by index. Throws std::invalid_argument for
// min_segment < 2, permutations < 1 or max_p_value outside (0, 1).
std::vector<ChangePoint> e_divisive(std::span<const double> series,
                                    const EDivisiveOptions& options);

}  // namespace iomb::history
