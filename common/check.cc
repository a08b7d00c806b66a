// Implementation of check.h.
#include "common/check.h"

#include <cstdio>
#include <cstdlib>

namespace iomb {

void check_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "iomb: check failed: %s at %s:%d\n", condition, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace iomb
