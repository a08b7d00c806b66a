// Implementation of proc_files.h.
#include "harness/sampling/proc_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <map>

#include "common/unique_fd.h"
#include "harness/sampling/text_fields.h"

namespace iomb::sampling {
namespace {

std::optional<pid_t> parse_pid(const char* name) {
  pid_t value = 0;
  const char* end = name;
  while (*end != '\0') ++end;
  auto [ptr, ec] = std::from_chars(name, end, value);
  if (ec != std::errc() || ptr != end || value <= 0) return std::nullopt;
  return value;
}

std::vector<pid_t> list_numeric_entries(const std::string& dir_path) {
  std::vector<pid_t> out;
  DIR* dir = opendir(dir_path.c_str());
  if (dir == nullptr) return out;
  while (const dirent* entry = readdir(dir)) {
    if (auto pid = parse_pid(entry->d_name)) out.push_back(*pid);
  }
  closedir(dir);
  return out;
}

}  // namespace

std::optional<std::string> read_small_file(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

std::optional<long> status_field(std::string_view text, std::string_view key) {
  for (std::string_view line : split(text, '\n')) {
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':') {
      continue;
    }
    std::string_view rest = trim(line.substr(key.size() + 1));
    if (rest.empty()) return std::nullopt;
    long value = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec != std::errc()) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

std::vector<std::string_view> stat_fields_after_comm(std::string_view stat_text) {
  std::vector<std::string_view> fields;
  size_t close = stat_text.rfind(')');
  if (close == std::string_view::npos) return fields;
  std::string_view rest = stat_text.substr(close + 1);
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t start = rest.find_first_not_of(" \n", pos);
    if (start == std::string_view::npos) break;
    size_t end = rest.find_first_of(" \n", start);
    if (end == std::string_view::npos) end = rest.size();
    fields.push_back(rest.substr(start, end - start));
    pos = end;
  }
  return fields;
}

std::vector<pid_t> list_threads(pid_t pid) {
  return list_numeric_entries("/proc/" + std::to_string(pid) + "/task");
}

bool wait_all_threads_stopped(pid_t pid, int timeout_ms) {
  for (int waited = 0;; ++waited) {
    bool all = true;
    const std::vector<pid_t> threads = list_threads(pid);
    for (pid_t tid : threads) {
      auto text = read_small_file("/proc/" + std::to_string(pid) + "/task/" +
                                  std::to_string(tid) + "/stat");
      auto fields = text ? stat_fields_after_comm(*text) : std::vector<std::string_view>{};
      if (!fields.empty() && fields[0] != "T") {
        all = false;
        break;
      }
    }
    if (threads.empty()) return false;  // gone
    if (all) return true;
    if (waited >= timeout_ms) return false;
    ::usleep(1000);
  }
}

std::vector<pid_t> list_process_tree(pid_t pid) {
  std::multimap<pid_t, pid_t> children;  // ppid -> pid
  for (pid_t candidate : list_numeric_entries("/proc")) {
    auto text = read_small_file("/proc/" + std::to_string(candidate) + "/stat");
    if (!text) continue;
    auto fields = stat_fields_after_comm(*text);
    if (fields.size() < 2) continue;
    pid_t ppid = 0;
    auto [ptr, ec] = std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), ppid);
    if (ec == std::errc()) children.emplace(ppid, candidate);
  }
  std::vector<pid_t> tree{pid};
  for (size_t i = 0; i < tree.size(); ++i) {
    auto [first, last] = children.equal_range(tree[i]);
    for (auto it = first; it != last; ++it) tree.push_back(it->second);
  }
  return tree;
}

}  // namespace iomb::sampling
