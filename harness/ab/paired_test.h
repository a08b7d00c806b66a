// The Wilcoxon signed-rank test for paired samples, as `iomb ab` applies it to the log ratios
// candidate/base of the runs of one cell: exact one-sided p-values for any number of pairs
// (ties among |differences| get mid-ranks and the exact distribution of those ranks; zero
// differences are dropped, as Wilcoxon did). Pure functions; any thread.
#pragma once

#include <cstddef>
#include <span>

namespace iomb::ab {

struct SignedRankResult {
  size_t used = 0;       // non-zero differences (the pairs the test looked at)
  size_t positive = 0;   // of those, how many are > 0
  double w_plus = 0;     // sum of the ranks of |d| over the positive differences
  double p_greater = 1;  // P(W+ >= observed) under H0: evidence that d tends to be > 0
  double p_less = 1;     // P(W+ <= observed): evidence that d tends to be < 0
};

// Under H0 each difference is as likely positive as negative (symmetric about 0), so the sign
// of each rank is a fair coin: W+ is a sum of independent (0 or rank) terms, whose distribution
// is computed exactly over twice the ranks (mid-ranks are multiples of 1/2). No differences
// gives p = 1 both ways. Throws std::invalid_argument on a NaN.
SignedRankResult wilcoxon_signed_rank(std::span<const double> differences);

// The smallest one-sided p-value `pairs` non-zero differences can give: 0.5^pairs (every
// difference on one side). At or above alpha, the pairs cannot show a change at all.
double min_attainable_one_sided_p(size_t pairs);

}  // namespace iomb::ab
