// Implementation of context_summary.h.
#include "harness/report/context_summary.h"

#include <set>

#include "common/units.h"
#include "harness/report/text_format.h"
#include "harness/result/floor_lookup.h"

namespace iomb::report {
namespace {

using nlohmann::json;

constexpr size_t kMaxValue = 200;
constexpr const char* kNotRecorded = "not recorded";

std::string scalar(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.size() > kMaxValue) s = s.substr(0, kMaxValue) + "…";
  return s;
}

std::string pinning(const json& v) {
  if (!v.is_object()) return scalar(v);
  std::string note = v.value("note", "");
  std::string s;
  if (v.value("pinned", false)) {
    s = "server on CPUs " + scalar(v.value("server_cpus", json("?"))) + ", client on CPUs " +
        scalar(v.value("client_cpus", json("?")));
  } else {
    s = "not pinned";
  }
  return note.empty() ? s : s + " (" + note + ")";
}

std::string floor_text(const json& context) {
  const json& f = context["floor"];
  if (f.is_object() && f.contains("unavailable")) return "unavailable: " + scalar(f["unavailable"]);
  std::string s;
  for (const result::FloorValue& v : result::floor_values(context)) {
    if (!s.empty()) s += ", ";
    s += (v.size ? format_size(v.size) + " " : std::string()) + "recv+send " +
         format_latency_us(v.ns / 1e3) + " µs";
  }
  return s.empty() ? scalar(f) : s;
}

// The first of `keys` the context has.
const json* first_of(const json& context, std::initializer_list<const char*> keys,
                     std::set<std::string>& used) {
  const json* found = nullptr;
  for (const char* k : keys) {
    used.insert(k);
    if (!found && context.contains(k) && !context[k].is_null()) found = &context[k];
  }
  return found;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> describe_context(const json& context) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!context.is_object()) return out;
  std::set<std::string> used{"caches"};  // per-level cache sizes: too long for a summary
  struct Known {
    const char* label;
    std::initializer_list<const char*> keys;
  };
  const Known known[] = {{"Machine", {"host_name"}},
                         {"CPU", {"cpu_model"}},
                         {"CPUs", {"num_cpus"}},
                         {"Kernel", {"kernel"}},
                         {"Pinning", {"cpu_pinning", "pinning"}},
                         {"Date", {"date"}},
                         {"Git sha", {"git_sha", "git"}},
                         {"Build", {"build_type", "library_build_type"}},
                         {"Floor", {"floor"}}};
  for (const Known& k : known) {
    const json* v = first_of(context, k.keys, used);
    std::string text = !v                                  ? kNotRecorded
                       : std::string(k.label) == "Pinning" ? pinning(*v)
                       : std::string(k.label) == "Floor"   ? floor_text(context)
                                                           : scalar(*v);
    out.emplace_back(k.label, text);
  }
  for (const auto& [key, value] : context.items()) {
    if (used.count(key) || value.is_null()) continue;
    out.emplace_back(key, scalar(value));
  }
  return out;
}

}  // namespace iomb::report
