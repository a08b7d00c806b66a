// The `context` object of a result file (DESIGN §4.2/§4.3): Google Benchmark's own keys (date,
// host_name, executable, num_cpus, mhz_per_cpu, cpu_scaling_enabled, caches, load_avg,
// library_build_type) plus iomb's: kernel, kernel_version, arch, cpu_model, allowed_cpus,
// liburing_version, boost_version, git_sha, build_type, compiler, sanitizers,
// iomb_version. The harness adds the command line, the CPU plan and the floor. Reads /proc,
// /sys and uname; any thread.
#pragma once

#include <nlohmann/json.hpp>

namespace iomb::result {

nlohmann::json system_context();

}  // namespace iomb::result
