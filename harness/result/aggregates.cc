// Implementation of aggregates.h.
#include "harness/result/aggregates.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace iomb::result {

Aggregates aggregate(std::vector<double> values) {
  Aggregates a;
  if (values.empty()) return a;
  const auto n = static_cast<double>(values.size());
  a.mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  a.median = values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  if (values.size() > 1) {
    double ss = 0;
    for (double v : values) ss += (v - a.mean) * (v - a.mean);
    a.stddev = std::sqrt(ss / (n - 1));
  }
  a.cv = a.mean != 0 ? a.stddev / a.mean : 0;
  return a;
}

}  // namespace iomb::result
