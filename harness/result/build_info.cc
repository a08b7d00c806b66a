// Implementation of build_info.h. The IOMB_BUILD_* macros are set on this file only by
// harness/sampling/CMakeLists.txt, so a new git sha recompiles one file.
#include "harness/result/build_info.h"

#if __has_include(<boost/version.hpp>)
#include <boost/version.hpp>
#endif

namespace iomb::result {
namespace {

std::string boost_version() {
#ifdef BOOST_VERSION
  // BOOST_VERSION is major * 100000 + minor * 100 + patch (BOOST_LIB_VERSION is "1_74").
  return std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) +
         "." + std::to_string(BOOST_VERSION % 100);
#else
  return "none";
#endif
}

}  // namespace

const BuildInfo& build_info() {
  static const BuildInfo info = [] {
    BuildInfo b;
    b.git_sha = IOMB_BUILD_GIT_SHA;
    b.build_type = IOMB_BUILD_TYPE;
    b.compiler = IOMB_BUILD_COMPILER;
    b.sanitizers = IOMB_BUILD_SANITIZERS;
    b.liburing_version = IOMB_BUILD_LIBURING_VERSION;
    b.boost_version = boost_version();
    b.iomb_version = IOMB_BUILD_VERSION;
    return b;
  }();
  return info;
}

}  // namespace iomb::result
