// Implementation of ab_plan.h.
#include "harness/ab/ab_plan.h"

#include <unistd.h>

#include <filesystem>

namespace iomb::ab {
namespace {

std::string mode_or_default(const matrix::ServerSpec& s) {
  return s.mode.empty() ? "default" : s.mode;
}

matrix::ServerSpec copy_for(const matrix::ServerSpec& s, const std::string& dir,
                            std::string_view suffix) {
  matrix::ServerSpec copy = s;
  copy.model = binary_in(dir, s);
  copy.mode = mode_or_default(s) + std::string(suffix);
  return copy;
}

// The ids of both copies of every original server the filter selected (empty stays empty:
// every server).
std::vector<std::string> doubled_filter(const std::vector<std::string>& filter,
                                        const std::vector<matrix::ServerSpec>& originals,
                                        const std::vector<matrix::ServerSpec>& doubled) {
  if (filter.empty()) return filter;
  std::vector<std::string> out;
  for (size_t i = 0; i < originals.size(); ++i) {
    if (!matrix::selects(filter, originals[i])) continue;
    out.push_back(doubled[2 * i].id());
    out.push_back(doubled[2 * i + 1].id());
  }
  // A filter that selected nothing must keep selecting nothing, not everything.
  if (out.empty()) out.push_back("(none)");
  return out;
}

}  // namespace

std::string binary_in(const std::string& dir, const matrix::ServerSpec& server) {
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return d + "/iomb-" + server.model_name();
}

matrix::MatrixSpec ab_matrix(const matrix::MatrixSpec& spec, const std::string& base_dir,
                             const std::string& candidate_dir) {
  matrix::MatrixSpec out = spec;
  out.name = "ab-" + spec.name;
  out.alternate_round_order = true;  // base first in even rounds, the candidate in odd ones
  out.servers.clear();
  for (const matrix::ServerSpec& s : spec.servers) {
    out.servers.push_back(copy_for(s, base_dir, kBaseSuffix));
    out.servers.push_back(copy_for(s, candidate_dir, kCandidateSuffix));
  }
  for (auto& sweep : out.sweeps) {
    sweep.servers = doubled_filter(sweep.servers, spec.servers, out.servers);
  }
  for (auto& sweep : out.open_loop) {
    sweep.servers = doubled_filter(sweep.servers, spec.servers, out.servers);
  }
  return out;
}

std::string check_build_dir(const std::string& flag, const std::string& dir,
                            const matrix::MatrixSpec& spec) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return flag + " " + dir + ": no such directory (give the bin directory of a build, e.g. " +
           "build/release/bin)";
  }
  std::string missing;
  for (const matrix::ServerSpec& s : spec.servers) {
    const std::string binary = binary_in(dir, s);
    if (::access(binary.c_str(), X_OK) == 0) continue;
    if (missing.find(binary) != std::string::npos) continue;
    missing += (missing.empty() ? "" : ", ") + binary;
  }
  if (missing.empty()) return "";
  return flag + " " + dir + " lacks the server binaries the matrix needs: " + missing +
         " (build them there, or use --config with a matrix of the servers it has)";
}

std::optional<SplitName> split_side(std::string_view name) {
  for (Side side : {Side::kBase, Side::kCandidate}) {
    const std::string_view suffix = side == Side::kBase ? kBaseSuffix : kCandidateSuffix;
    // The suffix ends the mode: followed by '/' (the next segment) or the end of the name.
    size_t at = name.find(suffix);
    while (at != std::string_view::npos) {
      const size_t end = at + suffix.size();
      if (end == name.size() || name[end] == '/') {
        return SplitName{std::string(name.substr(0, at)) + std::string(name.substr(end)), side};
      }
      at = name.find(suffix, at + 1);
    }
  }
  return std::nullopt;
}

}  // namespace iomb::ab
