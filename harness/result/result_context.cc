// result_context() of result_json.h: the machine and build context of a result file. Google
// Benchmark's keys and ours from system_context(), the command line and the caller's extras.
#include "harness/result/result_json.h"
#include "harness/result/system_context.h"

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

}  // namespace iomb::result
