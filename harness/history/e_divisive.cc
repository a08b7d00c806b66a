// Implementation of e_divisive.h.
//
// Cost: the best split of a segment of L points is O(L²) time and memory (prefix sums of the
// pairwise distances, then every (split, end of right side) pair in O(1)), so a series of a few
// hundred results with 199 permutations per accepted change point stays around a second.
#include "harness/history/e_divisive.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace iomb::history {
namespace {

// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator whose output is fixed by its
// definition, unlike std::shuffle's use of a standard engine, which differs between standard
// libraries. Same seed, same permutations, same p-values everywhere.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound); the modulo bias is below 2^-50 for the bounds used here.
  size_t below(size_t bound) { return static_cast<size_t>(next() % bound); }

 private:
  uint64_t state_;
};

// Fisher–Yates over [first, last).
void shuffle(std::vector<double>::iterator first, std::vector<double>::iterator last,
             SplitMix64& rng) {
  for (auto n = last - first; n > 1; --n) std::swap(first[n - 1], first[rng.below(n)]);
}

struct Split {
  size_t begin = 0, end = 0;  // the segment [begin, end) of the series
  size_t at = 0;              // absolute index of the first point after the split
  double statistic = -1;      // < 0: no admissible split
};

// The split of series[begin, end) with the largest statistic, both sides >= min_segment. As in
// the paper, the right side is series[split, kappa) for the best kappa <= end, not always the
// whole rest of the segment: with a level that goes up and comes back (100, 130, 100) the rest
// of the segment mixes both levels and hides the first step; a shorter right side does not.
Split best_split(const std::vector<double>& series, size_t begin, size_t end, size_t min_segment) {
  Split best{begin, end, 0, -1};
  const size_t size = end - begin;
  if (size < 2 * min_segment) return best;
  const double* x = series.data() + begin;
  // prefix[k * (size + 1) + t] = Σ_{i<t} |x_i - x_k| for t <= k: every sum the statistic needs
  // is a difference of two of these.
  const size_t stride = size + 1;
  std::vector<double> prefix(size * stride, 0);
  for (size_t k = 0; k < size; ++k) {
    double* row = prefix.data() + k * stride;
    for (size_t t = 0; t < k; ++t) row[t + 1] = row[t] + std::abs(x[t] - x[k]);
  }
  auto earlier = [&](size_t k, size_t t) { return prefix[k * stride + t]; };  // Σ_{i<t} d(i, k)
  double within_left = 0;  // Σ over pairs inside [0, split)
  for (size_t split = 0; split + min_segment <= size; ++split) {
    if (split >= min_segment) {
      const double m = static_cast<double>(split);
      double between = 0, within_right = 0;
      for (size_t k = split; k < size; ++k) {  // the right side grows to [split, k]
        between += earlier(k, split);
        within_right += earlier(k, k) - earlier(k, split);
        const size_t right = k + 1 - split;
        if (right < min_segment) continue;
        const double n = static_cast<double>(right);
        const double energy = 2 * between / (m * n) - 2 * within_left / (m * (m - 1)) -
                              2 * within_right / (n * (n - 1));
        const double statistic = m * n / (m + n) * energy;
        if (statistic > best.statistic) {
          best.statistic = statistic;
          best.at = begin + split;
        }
      }
    }
    within_left += earlier(split, split);  // point `split` joins the left side
  }
  return best;
}

// The best split over all segments between consecutive `bounds` (sorted, first 0, last size).
Split best_split_over(const std::vector<double>& series, const std::vector<size_t>& bounds,
                      size_t min_segment) {
  Split best;
  for (size_t s = 0; s + 1 < bounds.size(); ++s) {
    Split candidate = best_split(series, bounds[s], bounds[s + 1], min_segment);
    if (candidate.statistic > best.statistic) best = candidate;
  }
  return best;
}

}  // namespace

double energy_statistic(std::span<const double> segment, size_t split) {
  const size_t size = segment.size();
  if (split < 2 || size < split + 2) {
    throw std::invalid_argument("energy_statistic: both sides need at least 2 points");
  }
  double between = 0, within_left = 0, within_right = 0;
  for (size_t i = 0; i < size; ++i) {
    for (size_t j = i + 1; j < size; ++j) {
      const double d = std::abs(segment[i] - segment[j]);
      if (j < split)
        within_left += d;
      else if (i >= split)
        within_right += d;
      else
        between += d;
    }
  }
  const double m = static_cast<double>(split), k = static_cast<double>(size - split);
  return m * k / (m + k) *
         (2 * between / (m * k) - 2 * within_left / (m * (m - 1)) -
          2 * within_right / (k * (k - 1)));
}

std::vector<ChangePoint> e_divisive(std::span<const double> input,
                                    const EDivisiveOptions& options) {
  if (options.min_segment < 2) throw std::invalid_argument("minimum segment size must be >= 2");
  if (options.permutations < 1) throw std::invalid_argument("permutations must be >= 1");
  if (!(options.max_p_value > 0 && options.max_p_value < 1)) {
    throw std::invalid_argument("p-value threshold must be in (0, 1)");
  }
  const std::vector<double> series(input.begin(), input.end());
  std::vector<size_t> bounds = {0, series.size()};
  std::vector<ChangePoint> found;
  SplitMix64 rng(options.seed);
  std::vector<double> permuted;
  for (;;) {
    const Split best = best_split_over(series, bounds, options.min_segment);
    if (best.statistic <= 0) break;  // nothing splittable, or no split separates anything
    // Under "no new change point" the points of each current segment are exchangeable:
    // shuffle within segments (never across an accepted change point) and see how often the
    // best split of the shuffled series scores as high. The tolerance keeps a tie computed in
    // another order a tie.
    const double bar = best.statistic * (1 - 1e-9);
    int as_high = 0;
    for (int r = 0; r < options.permutations; ++r) {
      permuted = series;
      for (size_t s = 0; s + 1 < bounds.size(); ++s) {
        shuffle(permuted.begin() + bounds[s], permuted.begin() + bounds[s + 1], rng);
      }
      if (best_split_over(permuted, bounds, options.min_segment).statistic >= bar) ++as_high;
    }
    const double p_value = (as_high + 1.0) / (options.permutations + 1.0);
    if (p_value > options.max_p_value) break;
    found.push_back({best.at, best.statistic, p_value});
    bounds.insert(std::upper_bound(bounds.begin(), bounds.end(), best.at), best.at);
  }
  std::sort(found.begin(), found.end(),
            [](const ChangePoint& a, const ChangePoint& b) { return a.index < b.index; });
  return found;
}

}  // namespace iomb::history
