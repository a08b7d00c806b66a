// Implementation of process_usage.h.
#include "harness/sampling/process_usage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string>
#include <system_error>

#include "harness/sampling/proc_files.h"

namespace iomb::sampling {
namespace {

// Fields of /proc/<pid>/stat counted from 3 (state), as stat_fields_after_comm returns them.
constexpr size_t kStateField = 0;
constexpr size_t kUtimeField = 14 - 3;
constexpr size_t kStimeField = 15 - 3;
constexpr size_t kNumThreadsField = 20 - 3;

[[noreturn]] void throw_gone(pid_t pid) {
  throw std::system_error(ESRCH, std::generic_category(),
                          "process " + std::to_string(pid) + " is gone");
}

long to_long(std::string_view text) {
  long value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// Context switches summed over the live threads of pid.
void add_thread_switches(pid_t pid, ProcessUsage* usage) {
  for (pid_t tid : list_threads(pid)) {
    auto status = read_small_file("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) +
                                  "/status");
    if (!status) continue;  // the thread exited meanwhile
    const auto voluntary =
        static_cast<uint64_t>(status_field(*status, "voluntary_ctxt_switches").value_or(0));
    const auto involuntary =
        static_cast<uint64_t>(status_field(*status, "nonvoluntary_ctxt_switches").value_or(0));
    usage->voluntary_ctx += voluntary;
    usage->involuntary_ctx += involuntary;
    usage->thread_ctx[tid] = voluntary + involuntary;
  }
}

}  // namespace

ProcessUsage read_process_usage(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  auto stat = read_small_file(dir + "/stat");
  if (!stat) throw_gone(pid);
  auto fields = stat_fields_after_comm(*stat);
  if (fields.size() <= kNumThreadsField) {
    throw std::system_error(EPROTO, std::generic_category(), "malformed " + dir + "/stat");
  }
  if (fields[kStateField] == "Z" || fields[kStateField] == "X") throw_gone(pid);
  auto status = read_small_file(dir + "/status");
  if (!status) throw_gone(pid);

  static const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  ProcessUsage usage;
  usage.user_s = static_cast<double>(to_long(fields[kUtimeField])) / ticks_per_second;
  usage.sys_s = static_cast<double>(to_long(fields[kStimeField])) / ticks_per_second;
  usage.threads = static_cast<int>(to_long(fields[kNumThreadsField]));
  usage.rss_kib = status_field(*status, "VmRSS").value_or(0);
  usage.rss_peak_kib = status_field(*status, "VmHWM").value_or(usage.rss_kib);
  add_thread_switches(pid, &usage);
  return usage;
}

ProcessUsage read_process_tree_usage(pid_t pid) {
  ProcessUsage total = read_process_usage(pid);
  auto tree = list_process_tree(pid);
  for (size_t i = 1; i < tree.size(); ++i) {
    try {
      total = total + read_process_usage(tree[i]);
    } catch (const std::system_error&) {
      // A descendant that exits between the scan and the read is simply not counted.
    }
  }
  return total;
}

ProcessUsage read_self_usage() {
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) != 0) {
    throw std::system_error(errno, std::generic_category(), "getrusage");
  }
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  ProcessUsage usage;
  usage.user_s = seconds(ru.ru_utime);
  usage.sys_s = seconds(ru.ru_stime);
  usage.rss_peak_kib = ru.ru_maxrss;
  usage.voluntary_ctx = static_cast<uint64_t>(ru.ru_nvcsw);
  usage.involuntary_ctx = static_cast<uint64_t>(ru.ru_nivcsw);
  if (auto status = read_small_file("/proc/self/status")) {
    usage.rss_kib = status_field(*status, "VmRSS").value_or(0);
    usage.threads = static_cast<int>(status_field(*status, "Threads").value_or(0));
    // Read after getrusage, the RSS may already be above the ru_maxrss snapshot.
    usage.rss_peak_kib =
        std::max({usage.rss_peak_kib, usage.rss_kib, status_field(*status, "VmHWM").value_or(0)});
  }
  return usage;
}

ProcessUsage operator+(const ProcessUsage& a, const ProcessUsage& b) {
  ProcessUsage sum;
  sum.user_s = a.user_s + b.user_s;
  sum.sys_s = a.sys_s + b.sys_s;
  sum.rss_kib = a.rss_kib + b.rss_kib;
  sum.rss_peak_kib = a.rss_peak_kib + b.rss_peak_kib;
  sum.threads = a.threads + b.threads;
  sum.voluntary_ctx = a.voluntary_ctx + b.voluntary_ctx;
  sum.involuntary_ctx = a.involuntary_ctx + b.involuntary_ctx;
  sum.thread_ctx = a.thread_ctx;
  sum.thread_ctx.insert(b.thread_ctx.begin(), b.thread_ctx.end());
  return sum;
}

uint64_t ctx_switches_between(const ProcessUsage& begin, const ProcessUsage& end) {
  if (end.thread_ctx.empty()) {
    const uint64_t a = begin.voluntary_ctx + begin.involuntary_ctx;
    const uint64_t b = end.voluntary_ctx + end.involuntary_ctx;
    return b - std::min(a, b);
  }
  uint64_t total = 0;
  for (const auto& [tid, count] : end.thread_ctx) {
    auto it = begin.thread_ctx.find(tid);
    const uint64_t before = it == begin.thread_ctx.end() ? 0 : it->second;
    total += count - std::min(before, count);  // a reused tid starts again from 0
  }
  return total;
}

}  // namespace iomb::sampling
