// Implementation of wrk_client.h. wrk's CPU time is read as RUSAGE_CHILDREN around the
// measured run: run_process reaps wrk before returning, and the server (our other child) is
// only reaped after the load, so the delta is wrk's alone. It covers wrk's start-up and exit
// too (milliseconds against a window of seconds).
#include "harness/run/wrk_client.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "harness/process/executable_path.h"
#include "harness/process/process_runner.h"

namespace iomb::harness {
namespace {

double children_cpu_s() {
  rusage r{};
  ::getrusage(RUSAGE_CHILDREN, &r);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(r.ru_utime) + s(r.ru_stime);
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// wrk's -d takes whole seconds, minutes or hours only ("500ms" is a usage error), so a
// sub-second or fractional window is rounded up to whole seconds. The entry's rate and counts
// are over wrk's own window, so they stay consistent; the run just lasts longer than asked.
std::string wrk_duration(std::chrono::nanoseconds d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return std::to_string(std::max<int64_t>(1, (ms + 999) / 1000)) + "s";
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/iomb-wrk-XXXXXX";
    if (::mkdtemp(tmpl) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    if (path_.empty()) return;
    for (const char* f : {"/pipeline.lua", "/wrk.log"}) ::unlink((path_ + f).c_str());
    ::rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

WrkRun run_wrk(const LoadOptions& o, const LoadHooks& hooks) {
  WrkRun run;
  auto wrk = process::find_executable("wrk");
  if (!wrk) {
    run.unavailable = true;
    run.why = "wrk is not installed (apt-get install wrk)";
    return run;
  }
  if (o.protocol != Protocol::kHttp) {
    run.unavailable = true;
    run.why = "wrk speaks HTTP only (protocol echo)";
    return run;
  }
  if (o.open_loop()) {
    run.unavailable = true;
    run.why = "wrk is a closed-loop client (no --rate)";
    return run;
  }
  TempDir dir;
  if (dir.path().empty()) {
    run.result.error = "cannot create a temporary directory for wrk";
    return run;
  }
  const std::string host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  const std::string url = "http://" + host + ":" + std::to_string(o.port) + o.path;
  std::vector<std::string> base{*wrk, "-t" + std::to_string(o.threads),
                                "-c" + std::to_string(o.connections)};
  if (o.pipeline > 1) {
    // As TechEmpower's plaintext test: `pipeline` requests concatenated into one write.
    const std::string lua = dir.path() + "/pipeline.lua";
    std::ofstream(lua) << "init = function(args)\n  local r = {}\n  for i = 1, " << o.pipeline
                       << " do r[i] = wrk.format(nil, \"" << o.path
                       << "\") end\n  req = table.concat(r)\nend\n"
                          "request = function() return req end\n";
    base.insert(base.end(), {"-s", lua});
  }
  const std::string log = dir.path() + "/wrk.log";
  auto limit = [](std::chrono::nanoseconds d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d) + std::chrono::seconds(30);
  };
  if (o.warmup.count() > 0) {
    auto argv = base;
    argv.insert(argv.end(), {"-d" + wrk_duration(o.warmup), url});
    process::run_process(argv, "", "", limit(o.warmup));
  }
  auto argv = base;
  argv.insert(argv.end(), {"-d" + wrk_duration(o.duration), "--latency", url});
  if (hooks.on_measure_start) hooks.on_measure_start();
  const double cpu0 = children_cpu_s();
  process::ProcessResult p = process::run_process(argv, "", log, limit(o.duration));
  const double cpu1 = children_cpu_s();
  if (hooks.on_measure_end) hooks.on_measure_end();

  const std::string text = read_all(log);
  run.output = parse_wrk_output(text);
  LoadResult& r = run.result;
  r.client_io = "wrk";
  if (!p.ok()) {
    r.error = "wrk: " + (p.error.empty() ? "exit " + std::to_string(p.exit_code) : p.error) +
              (text.empty() ? "" : ": " + text.substr(0, 500));
    return run;
  }
  if (!run.output.ok) {
    r.error = "wrk: " + run.output.error + (text.empty() ? "" : ": " + text.substr(0, 500));
    return run;
  }
  const WrkOutput& w = run.output;
  r.ok = true;
  // wrk counts every response as a request; the non-2xx ones are errors here, as in iomb load.
  const uint64_t completed = w.requests > w.non_2xx ? w.requests - w.non_2xx : 0;
  r.merged.completed = completed;
  r.merged.total_completed = completed;
  r.merged.bytes_received = static_cast<uint64_t>(w.bytes_read);
  r.merged.total_bytes_received = static_cast<uint64_t>(w.bytes_read);
  r.merged.errors = w.errors();
  r.merged.total_errors = w.errors();
  r.merged.protocol.non_2xx = w.non_2xx;
  r.merged.window_end_ns = static_cast<int64_t>(w.duration_s * 1e9);
  r.client_cpu_s = cpu1 - cpu0;
  r.client_cores = o.threads;
  r.derive(o);
  // wrk's own rate is over its window, which is what the counts above cover.
  if (w.requests > 0) {
    r.achieved_rate =
        w.requests_per_second * static_cast<double>(completed) / static_cast<double>(w.requests);
  }
  r.apply_error_limit(o);
  return run;
}

}  // namespace iomb::harness
