// Finds gnuplot and its best PNG terminal, and runs plot scripts with a time limit. Blocking;
// any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace iomb::report {

struct Gnuplot {
  std::string path;
  std::string png_terminal;  // "pngcairo" (anti-aliased) when built in, else "png" (libgd)
};

// `path` empty = gnuplot on PATH. nullopt (and *why) when there is none that runs.
std::optional<Gnuplot> find_gnuplot(const std::string& path, std::string* why);

// Runs `scripts` (file names in `dir`, in one gnuplot process, which stops at the first error)
// from `dir`; gnuplot's messages go to dir/gnuplot.log. Returns "" on success, else what went
// wrong.
std::string run_gnuplot(const Gnuplot& gnuplot, const std::string& dir,
                        const std::vector<std::string>& scripts, std::chrono::seconds timeout);

}  // namespace iomb::report
