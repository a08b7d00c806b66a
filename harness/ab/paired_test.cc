// Implementation of paired_test.h.
#include "harness/ab/paired_test.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace iomb::ab {

SignedRankResult wilcoxon_signed_rank(std::span<const double> differences) {
  struct Item {
    double magnitude;
    bool positive;
  };
  std::vector<Item> items;
  for (double d : differences) {
    if (std::isnan(d)) throw std::invalid_argument("signed-rank test: NaN difference");
    if (d != 0) items.push_back({std::abs(d), d > 0});
  }
  SignedRankResult r;
  r.used = items.size();
  if (items.empty()) return r;
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.magnitude < b.magnitude; });

  // Twice the mid-rank of each item: ranks i+1..j+1 tied share (i+1 + j+1) / 2, so twice that
  // is the integer i + j + 2.
  std::vector<size_t> doubled_rank(items.size());
  for (size_t i = 0; i < items.size();) {
    size_t j = i;
    while (j + 1 < items.size() && items[j + 1].magnitude == items[i].magnitude) ++j;
    for (size_t k = i; k <= j; ++k) doubled_rank[k] = i + j + 2;
    i = j + 1;
  }
  size_t observed = 0, total = 0;
  for (size_t k = 0; k < items.size(); ++k) {
    total += doubled_rank[k];
    if (items[k].positive) {
      observed += doubled_rank[k];
      ++r.positive;
    }
  }
  r.w_plus = static_cast<double>(observed) / 2;

  // probability[s] = P(twice W+ == s), one fair coin per rank.
  std::vector<double> probability(total + 1, 0.0);
  probability[0] = 1;
  size_t reach = 0;
  for (size_t rank : doubled_rank) {
    reach += rank;
    for (size_t s = reach; s >= rank; --s) {
      probability[s] = 0.5 * probability[s] + 0.5 * probability[s - rank];
      if (s == rank) break;
    }
    for (size_t s = 0; s < rank; ++s) probability[s] *= 0.5;
  }
  double at_least = 0, at_most = 0;
  for (size_t s = 0; s <= total; ++s) {
    if (s >= observed) at_least += probability[s];
    if (s <= observed) at_most += probability[s];
  }
  r.p_greater = std::min(1.0, at_least);
  r.p_less = std::min(1.0, at_most);
  return r;
}

double min_attainable_one_sided_p(size_t pairs) {
  return std::pow(0.5, static_cast<double>(pairs));
}

}  // namespace iomb::ab
