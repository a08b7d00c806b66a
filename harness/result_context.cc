// result_context() of result_json.h: the machine and build context of a result file. Uses
// harness/sampling's system_context() when it is built; otherwise Google Benchmark's minimal
// keys (date, host_name, num_cpus, library_build_type).
#include <unistd.h>

#include <ctime>
#include <thread>

#include "harness/result_json.h"

#ifdef IOMB_HAVE_SAMPLING
#include "harness/sampling/system_context.h"
#endif

namespace iomb::harness {

nlohmann::json result_context(int argc, char** argv, const nlohmann::json& extra) {
  nlohmann::json ctx;
#ifdef IOMB_HAVE_SAMPLING
  ctx = sampling::system_context();
#else
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  char date[64];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  std::strftime(date, sizeof date, "%FT%T%z", &tm);
  ctx = {{"date", date},
         {"host_name", host},
         {"num_cpus", std::thread::hardware_concurrency()},
         {"mhz_per_cpu", 0},
         {"cpu_scaling_enabled", false},
         {"library_build_type", IOMB_BUILD_TYPE}};
#endif
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

}  // namespace iomb::harness
