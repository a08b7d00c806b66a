// result_context() of result_json.h: the machine and build context of a result file. Google
// Benchmark's keys and ours from system_context(), the command line and the caller's extras.
#include "harness/result/result_json.h"
#include "harness/result/system_context.h"

#include <ctime>

namespace iomb::result {

nlohmann::json result_context(int argc, char** argv, const nlohmann::json& extra) {
  nlohmann::json ctx = system_context();
  ctx["executable"] = argc > 0 ? argv[0] : "iomb";
  std::string command;
  for (int i = 0; i < argc; ++i) {
    if (i) command += ' ';
    command += argv[i];
  }
  ctx["command_line"] = command;
  for (const auto& [key, value] : extra.items()) ctx[key] = value;
  return ctx;
}

std::string utc_stamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace iomb::result
