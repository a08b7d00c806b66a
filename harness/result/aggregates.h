// Aggregates over repetitions (DESIGN §4.2): mean, median, sample standard deviation and
// coefficient of variation, as Google Benchmark computes them. Pure functions; any thread.
#pragma once

#include <vector>

namespace iomb::result {

struct Aggregates {
  double mean = 0;
  double median = 0;
  double stddev = 0;  // sample (n - 1); 0 for fewer than 2 values
  double cv = 0;      // stddev / mean; 0 when mean is 0
};

Aggregates aggregate(std::vector<double> values);

}  // namespace iomb::result
