// Where the running program's own binary is, so a binary can find its siblings in the build's
// bin/ directory and record itself in results. Reads /proc/self/exe (the kernel's link to the
// mapped executable, absolute and symlink-free); any thread.
#pragma once

#include <string>

namespace iomb {

// The absolute path of the running executable, or "" when /proc is not mounted.
std::string self_exe_path();

// The directory holding it (no trailing slash), or "." when the path is unknown.
std::string self_exe_dir();

}  // namespace iomb
