// Facts about this build, fixed at configure time (git sha of the source tree, build type,
// compiler, library versions found by CMake). Any thread.
#pragma once

#include <string>

namespace iomb::result {

struct BuildInfo {
  std::string git_sha;           // `git rev-parse HEAD` at configure time, or "unknown"
  std::string build_type;        // CMAKE_BUILD_TYPE
  std::string compiler;          // "GNU 12.2.0"
  std::string sanitizers;        // IOMB_SANITIZE ("" when none)
  std::string liburing_version;  // "2.3", or "none" when built without io_uring
  std::string boost_version;     // "1.74.0", or "none" when Boost headers were not found
  std::string iomb_version;      // project version
};

const BuildInfo& build_info();

}  // namespace iomb::result
