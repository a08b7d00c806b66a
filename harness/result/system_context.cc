// Implementation of system_context.h.
#include "harness/result/system_context.h"

#include <limits.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <ctime>
#include <string>
#include <system_error>

#include "common/self_exe.h"
#include "harness/cpu/cpu_affinity.h"
#include "harness/result/build_info.h"
#include "harness/sampling/proc_files.h"
#include "harness/sampling/text_fields.h"

namespace iomb::result {
namespace {

using cpu::allowed_cpus;
using cpu::format_cpu_list;
using cpu::parse_cpu_list;
using sampling::read_small_file;
using sampling::split;
using sampling::trim;

// The value of the first "key<TAB>: value" line of /proc/cpuinfo.
std::string cpuinfo_value(std::string_view cpuinfo, std::string_view key) {
  for (std::string_view line : split(cpuinfo, '\n')) {
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && trim(line.substr(0, colon)) == key) {
      return std::string(trim(line.substr(colon + 1)));
    }
  }
  return "";
}

// Local time with offset, as Google Benchmark writes it ("2026-11-26T07:46:34+00:00").
std::string iso8601_now() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &local);
  std::string text = buf;
  if (text.size() >= 5) text.insert(text.size() - 2, ":");  // +0000 -> +00:00
  return text;
}

// Google Benchmark's "caches" entries from sysfs (cpu0's view).
nlohmann::json caches() {
  nlohmann::json list = nlohmann::json::array();
  for (int index = 0; index < 16; ++index) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    auto type = read_small_file(dir + "/type");
    if (!type) break;
    auto level = read_small_file(dir + "/level");
    auto size = read_small_file(dir + "/size");
    auto shared = read_small_file(dir + "/shared_cpu_list");
    if (!level || !size) continue;
    long bytes = std::atol(size->c_str());
    if (size->find('K') != std::string::npos) bytes *= 1024;
    if (size->find('M') != std::string::npos) bytes *= 1024 * 1024;
    int sharing = 1;
    try {
      if (shared) sharing = static_cast<int>(parse_cpu_list(trim(*shared)).size());
    } catch (const std::invalid_argument&) {
    }
    list.push_back({{"type", std::string(trim(*type))},
                    {"level", std::atoi(level->c_str())},
                    {"size", bytes},
                    {"num_sharing", sharing}});
  }
  return list;
}

bool cpu_scaling_enabled() {
  auto governor = read_small_file("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  return governor && trim(*governor) != "performance";
}

}  // namespace

nlohmann::json system_context() {
  nlohmann::json context;
  context["date"] = iso8601_now();
  char host[HOST_NAME_MAX + 1] = {};
  if (gethostname(host, sizeof host - 1) == 0) context["host_name"] = host;
  if (std::string exe = self_exe_path(); !exe.empty()) context["executable"] = exe;
  context["num_cpus"] = sysconf(_SC_NPROCESSORS_ONLN);
  const std::string cpuinfo = read_small_file("/proc/cpuinfo").value_or("");
  const std::string mhz = cpuinfo_value(cpuinfo, "cpu MHz");
  context["mhz_per_cpu"] = mhz.empty() ? 0 : std::lround(std::atof(mhz.c_str()));
  context["cpu_scaling_enabled"] = cpu_scaling_enabled();
  context["caches"] = caches();
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) == 3) context["load_avg"] = {load[0], load[1], load[2]};
  const BuildInfo& build = build_info();
#ifdef NDEBUG
  context["library_build_type"] = "release";
#else
  context["library_build_type"] = "debug";
#endif

  utsname uts{};
  if (uname(&uts) == 0) {
    context["kernel"] = std::string(uts.sysname) + " " + uts.release;
    context["kernel_version"] = uts.version;
    context["arch"] = uts.machine;
  }
  std::string model = cpuinfo_value(cpuinfo, "model name");
  if (model.empty()) model = cpuinfo_value(cpuinfo, "Model");  // arm64 spells it differently
  context["cpu_model"] = model.empty() ? "unknown" : model;
  try {
    context["allowed_cpus"] = format_cpu_list(allowed_cpus());
  } catch (const std::system_error&) {
  }
  context["liburing_version"] = build.liburing_version;
  context["boost_version"] = build.boost_version;
  context["git_sha"] = build.git_sha;
  context["build_type"] = build.build_type;
  context["compiler"] = build.compiler;
  context["sanitizers"] = build.sanitizers;
  context["iomb_version"] = build.iomb_version;
  return context;
}

}  // namespace iomb::result
