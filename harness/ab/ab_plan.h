// The matrix `iomb ab` runs: the user's matrix with every [[server]] doubled, one copy running
// the baseline build's binary and one the candidate's, told apart by the mode in the benchmark
// name ("reactors@base", "reactors@candidate"). The copies sit next to each other in the
// servers list, and the matrix expands cells with servers innermost, so in every repetition
// round a cell's base and candidate runs are adjacent, a fresh server each; odd rounds run in
// reverse order (alternate_round_order), so the candidate goes first there (AB BA AB...: an
// effect of running first or second cancels). Pure apart from checking that binaries exist;
// any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/matrix/matrix_spec.h"

namespace iomb::ab {

enum class Side { kBase, kCandidate };

inline constexpr std::string_view kBaseSuffix = "@base";
inline constexpr std::string_view kCandidateSuffix = "@candidate";

// The binary of `server` in a build's bin directory: DIR/iomb-<model> (a server given by path
// is looked up by its base name, DIR/iomb-<name>).
std::string binary_in(const std::string& dir, const matrix::ServerSpec& server);

// Each server replaced by its base copy then its candidate copy (model = the binary in that
// directory, mode = "<mode or default>@base|@candidate"); sweep and open-loop server filters
// rewritten to name both copies of every server they selected.
matrix::MatrixSpec ab_matrix(const matrix::MatrixSpec& spec, const std::string& base_dir,
                             const std::string& candidate_dir);

// "" when `dir` is a directory holding an executable for every server of `spec`; otherwise one
// message naming the directory and what is missing.
std::string check_build_dir(const std::string& flag, const std::string& dir,
                            const matrix::MatrixSpec& spec);

struct SplitName {
  std::string cell;  // the benchmark name without the side suffix
  Side side = Side::kBase;
};
// The side of an `iomb ab` benchmark name ("echo/nio:reactors@base/c:1/d:1/s:64"); nullopt for
// a name without a side.
std::optional<SplitName> split_side(std::string_view name);

}  // namespace iomb::ab
