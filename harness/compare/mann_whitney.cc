// Implementation of mann_whitney.h.
#include "harness/compare/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>
#include <vector>

namespace iomb::compare {
namespace {

// Number of arrangements of m x-values and n y-values giving each U in [0, m*n], by the
// recurrence N(u; m, n) = N(u - n; m - 1, n) + N(u; m, n - 1) (the largest value is either an
// x, which then beats all n y-values, or a y). Counts stay exact in doubles for m + n <= 50.
std::vector<double> u_distribution(size_t m, size_t n) {
  // table[i][j] = distribution for (i x-values, j y-values), built row by row.
  std::vector<std::vector<std::vector<double>>> table(m + 1,
                                                      std::vector<std::vector<double>>(n + 1));
  for (size_t i = 0; i <= m; ++i) {
    for (size_t j = 0; j <= n; ++j) {
      std::vector<double>& dist = table[i][j];
      dist.assign(i * j + 1, 0.0);
      if (i == 0 || j == 0) {
        dist[0] = 1;
        continue;
      }
      const auto& with_x_last = table[i - 1][j];
      const auto& with_y_last = table[i][j - 1];
      for (size_t u = 0; u < dist.size(); ++u) {
        if (u >= j && u - j < with_x_last.size()) dist[u] += with_x_last[u - j];
        if (u < with_y_last.size()) dist[u] += with_y_last[u];
      }
    }
  }
  return std::move(table[m][n]);
}

}  // namespace

MannWhitneyResult mann_whitney_u(std::span<const double> x, std::span<const double> y) {
  if (x.empty() || y.empty()) throw std::invalid_argument("Mann-Whitney U: empty sample");
  const size_t nx = x.size(), ny = y.size(), n = nx + ny;
  std::vector<std::pair<double, bool>> all;  // value, is_x
  all.reserve(n);
  for (double v : x) all.emplace_back(v, true);
  for (double v : y) all.emplace_back(v, false);
  for (const auto& [v, is_x] : all) {
    if (std::isnan(v)) throw std::invalid_argument("Mann-Whitney U: NaN in sample");
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  // Rank sum of x with mid-ranks for ties, and the tie term sum(t^3 - t).
  double rank_sum_x = 0;
  double tie_term = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && all[j + 1].first == all[i].first) ++j;
    const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j + 1)) / 2;
    for (size_t k = i; k <= j; ++k) {
      if (all[k].second) rank_sum_x += mid_rank;
    }
    const double t = static_cast<double>(j - i + 1);
    tie_term += t * t * t - t;
    i = j + 1;
  }

  MannWhitneyResult result;
  const double dnx = static_cast<double>(nx), dny = static_cast<double>(ny);
  result.u_x = rank_sum_x - dnx * (dnx + 1) / 2;
  result.u_y = dnx * dny - result.u_x;

  if (tie_term == 0 && n <= kExactMaxTotal) {
    std::vector<double> dist = u_distribution(nx, ny);
    double total = 0;
    for (double c : dist) total += c;
    const auto u_min = static_cast<size_t>(std::min(result.u_x, result.u_y));
    double tail = 0;
    for (size_t u = 0; u <= u_min; ++u) tail += dist[u];
    result.p_value = std::min(1.0, 2 * tail / total);
    result.exact = true;
    return result;
  }

  const double dn = static_cast<double>(n);
  const double mean = dnx * dny / 2;
  const double variance = dnx * dny / 12 * ((dn + 1) - tie_term / (dn * (dn - 1)));
  if (variance <= 0) {
    result.p_value = 1;  // every value tied: no evidence of any difference
    return result;
  }
  const double z = std::max(0.0, std::abs(result.u_x - mean) - 0.5) / std::sqrt(variance);
  result.p_value = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return result;
}

double min_attainable_p(size_t nx, size_t ny) {
  if (nx == 0 || ny == 0) return 1;
  // C(nx + ny, nx) computed incrementally in doubles (exact enough for a threshold check).
  double combinations = 1;
  for (size_t k = 1; k <= nx; ++k) {
    combinations = combinations * static_cast<double>(ny + k) / static_cast<double>(k);
  }
  return std::min(1.0, 2 / combinations);
}

}  // namespace iomb::compare
