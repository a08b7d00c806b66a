// The two-sided Mann–Whitney U test (Wilcoxon rank-sum) for two independent samples, as used
// by `iomb compare` over repetitions. Pure functions; any thread.
#pragma once

#include <cstddef>
#include <span>

namespace iomb::compare {

struct MannWhitneyResult {
  double u_x = 0;      // pairs (x_i, y_j) with x_i > y_j, ties counting 1/2
  double u_y = 0;      // nx * ny - u_x
  double p_value = 1;  // two-sided
  bool exact = false;  // exact null distribution (else normal approximation)
};

// Largest nx + ny for which the exact distribution is used (when there are no ties).
inline constexpr size_t kExactMaxTotal = 50;

// Exact p-value (2 * P(U <= min(u_x, u_y)), capped at 1) when there are no ties and
// nx + ny <= kExactMaxTotal; otherwise the normal approximation with the tie correction of the
// variance and a 0.5 continuity correction. All values tied gives p = 1. Throws
// std::invalid_argument if a sample is empty or holds a NaN.
MannWhitneyResult mann_whitney_u(std::span<const double> x, std::span<const double> y);

// The smallest two-sided p-value the exact test can give for these sizes: 2 / C(nx + ny, nx)
// (capped at 1). Below `alpha`, the repetitions can show a significant difference at all.
double min_attainable_p(size_t nx, size_t ny);

}  // namespace iomb::compare
