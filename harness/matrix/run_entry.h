// Turns what one `iomb run` child left behind (its --json file, exit code and log) into the
// matrix's entry for that run: renamed to the matrix's benchmark name and repetition index,
// and a model that could not run (not built, exit 77, refused the configuration) marked as
// skipped with its reason. Pure apart from reading the file; main thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace iomb::matrix {

struct RunEntry {
  nlohmann::json entry;
  enum class Kind { kOk, kSkipped, kFailed } kind = Kind::kFailed;
  std::string message;          // why skipped or failed
  std::string reported_mode;    // the mode in the name iomb run wrote ("" when none)
  nlohmann::json syscall_pass;  // the file's context.syscall_pass, if any
};

// An entry for a run that never started (binary missing, open loop without capacity).
nlohmann::json skipped_entry(const std::string& name, int rep, int reps, const std::string& why);

// Reads `json_path` written by `iomb run --repetitions 1`; `exit_code` and `log_tail` explain a
// missing or empty file. The entry keeps its numbers; name/run_name/repetition fields are set
// by rename_entry().
RunEntry read_run_entry(const std::string& json_path, int exit_code, const std::string& log_tail);

// Sets name, run_name, repetition_index, repetitions and family_index.
void rename_entry(nlohmann::json& entry, const std::string& name, int rep, int reps,
                  int family_index);

// The "<mode>" of a BenchmarkName ("" when the name has no mode or does not parse).
std::string mode_of_name(const std::string& name);

}  // namespace iomb::matrix
