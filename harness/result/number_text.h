// Numbers as the harness's tables print them: three significant digits, SI suffixes, times in
// the unit that keeps them short. Pure functions; any thread.
#pragma once

#include <string>

namespace iomb::result {

std::string three_digits(double value);   // 1.23, 12.3, 123, 1235
std::string si_text(double value);        // 52.1k, 1.20M
std::string nanoseconds_text(double ns);  // 9.10us, 120ms, 1.50s, 850ns

}  // namespace iomb::result
