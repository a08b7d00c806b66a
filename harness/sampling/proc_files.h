// Small readers for /proc files: whole-file reads, "Key: value" lookups in status files, the
// fields of /proc/<pid>/stat, and the thread and descendant lists of a process. Pure functions
// over the live /proc; any thread.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iomb::sampling {

// The whole file, or nullopt if it cannot be opened or read (errno is left set).
std::optional<std::string> read_small_file(const std::string& path);

// The integer after "key:" in a /proc status-style text ("VmRSS:\t  1234 kB" -> 1234).
std::optional<long> status_field(std::string_view text, std::string_view key);

// The space-separated fields of /proc/<pid>/stat after the "(comm)" field: element 0 is the
// state (field 3 in proc(5)), element 1 the ppid (field 4), and so on. The comm may contain
// spaces and parentheses, so the split starts after the last ')'. Empty on malformed text.
std::vector<std::string_view> stat_fields_after_comm(std::string_view stat_text);

// Thread ids of pid (from /proc/<pid>/task); empty if the process is gone.
std::vector<pid_t> list_threads(pid_t pid);

// True once every thread of pid is stopped ('T' in /proc/<pid>/task/*/stat: SIGSTOP has taken
// effect everywhere; kill() itself does not wait), polling every millisecond up to timeout_ms.
bool wait_all_threads_stopped(pid_t pid, int timeout_ms);

// pid and every live descendant (children, grandchildren...), found through the ppid field of
// every /proc/<n>/stat; pid first. Processes that exit during the scan are skipped.
std::vector<pid_t> list_process_tree(pid_t pid);

}  // namespace iomb::sampling
