// Implementation of self_exe.h.
#include "common/self_exe.h"

#include <limits.h>
#include <unistd.h>

namespace iomb {

std::string self_exe_path() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string self_exe_dir() {
  std::string path = self_exe_path();
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace iomb
