// Implementation of run_entry.h.
#include "harness/matrix/run_entry.h"

#include <sstream>

#include "harness/result/benchmark_name.h"
#include "harness/result/result_entry.h"
#include "harness/result/result_file.h"

namespace iomb::matrix {
namespace {

std::string first_line(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) return line;
  }
  return "";
}

// A server that exits 2 before its ready line refused its flags: this configuration (e.g.
// --protocol http) is not something it serves. Returns its reason, or "".
std::string refusal(const std::string& message) {
  const std::string exited = "failed to start: exited 2 before its ready line";
  if (message.find(exited) == std::string::npos) return "";
  const std::string marker = "--- server stderr (tail) ---\n";
  auto at = message.find(marker);
  std::string why = at == std::string::npos ? "" : first_line(message.substr(at + marker.size()));
  return "refused by the server: " + (why.empty() ? "exited 2 (usage error)" : why);
}

}  // namespace

nlohmann::json skipped_entry(const std::string& name, int rep, int reps, const std::string& why) {
  result::ResultEntry e = result::ResultEntry::empty_run(name, rep, reps);
  e.skipped = true;
  e.skip_reason = why;
  return e.to_json();
}

std::string mode_of_name(const std::string& name) {
  auto parsed = result::BenchmarkName::parse(name);
  return parsed ? parsed->mode : "";
}

RunEntry read_run_entry(const std::string& json_path, int exit_code, const std::string& log_tail) {
  RunEntry r;
  // A child that died before writing its file, or wrote a broken one, has no result: the
  // exit code and log tail below say why.
  result::ResultDocument doc;
  try {
    doc = result::read_result_file(json_path);
  } catch (const result::ResultFileError&) {
  }
  const nlohmann::json* first = nullptr;
  for (const auto& b : doc.benchmarks) {
    if (b.is_object() && b.value("run_type", "") == "iteration") {
      first = &b;
      break;
    }
  }
  if (first == nullptr) {
    std::string tail = log_tail.empty() ? "" : ": " + log_tail;
    if (exit_code == 2) {
      r.kind = RunEntry::Kind::kSkipped;
      r.message = "refused by iomb run" + tail;
    } else {
      r.kind = RunEntry::Kind::kFailed;
      r.message = "iomb run exited " + std::to_string(exit_code) + " without a result" + tail;
    }
    r.entry = skipped_entry("", 0, 1, r.message);
    if (r.kind == RunEntry::Kind::kFailed) {
      r.entry.erase("skipped");
      r.entry.erase("skip_reason");
      r.entry["error_occurred"] = true;
      r.entry["error_message"] = r.message;
    }
    return r;
  }
  r.entry = *first;
  const result::ResultEntry typed = *result::ResultEntry::from_json(r.entry);
  r.reported_mode = mode_of_name(typed.name);
  const nlohmann::json& ctx = doc.context;
  if (ctx.contains("syscall_pass")) r.syscall_pass = ctx["syscall_pass"];
  std::string error = typed.error_message.value_or("");
  std::string refused = refusal(error);
  if (ctx.contains("skipped") && ctx["skipped"].is_string()) {
    std::string why = ctx["skipped"].get<std::string>();
    if (why.rfind("skipped: ", 0) == 0) why = why.substr(9);
    r.kind = RunEntry::Kind::kSkipped;
    r.message = "unavailable (exit 77): " + why;
  } else if (!refused.empty()) {
    r.kind = RunEntry::Kind::kSkipped;
    r.message = refused;
  } else if (typed.error_occurred.value_or(false) || exit_code != 0) {
    r.kind = RunEntry::Kind::kFailed;
    r.message = error.empty() ? "iomb run exited " + std::to_string(exit_code) : error;
    r.entry["error_occurred"] = true;
    r.entry["error_message"] = r.message;
    return r;
  } else {
    r.kind = RunEntry::Kind::kOk;
    return r;
  }
  r.entry = skipped_entry("", 0, 1, r.message);
  return r;
}

void rename_entry(nlohmann::json& entry, const std::string& name, int rep, int reps,
                  int family_index) {
  entry["name"] = name;
  entry["run_name"] = name;
  entry["repetition_index"] = rep;
  entry["repetitions"] = reps;
  entry["family_index"] = family_index;
  entry["per_family_instance_index"] = 0;
}

}  // namespace iomb::matrix
