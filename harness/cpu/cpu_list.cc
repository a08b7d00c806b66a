// Implementation of cpu_list.h.
#include "harness/cpu/cpu_list.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "harness/sampling/text_fields.h"

namespace iomb::cpu {
namespace {

using sampling::split;
using sampling::trim;

[[noreturn]] void bad(std::string_view whole, std::string_view why) {
  throw std::invalid_argument("bad CPU list '" + std::string(whole) + "': " + std::string(why));
}

int parse_cpu(std::string_view whole, std::string_view number) {
  number = trim(number);
  if (number.empty() ||
      !std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    bad(whole, "'" + std::string(number) + "' is not a CPU number");
  }
  int value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || value > kMaxCpu) {
    bad(whole, "CPU " + std::string(number) + " is out of range");
  }
  return value;
}

}  // namespace

std::vector<int> parse_cpu_list(std::string_view text) {
  if (trim(text).empty()) bad(text, "empty");
  std::vector<int> cpus;
  for (std::string_view raw_item : split(text, ',')) {
    std::string_view item = trim(raw_item);
    if (item.empty()) bad(text, "empty item");
    size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      cpus.push_back(parse_cpu(text, item));
    } else {
      int first = parse_cpu(text, item.substr(0, dash));
      int last = parse_cpu(text, item.substr(dash + 1));
      if (last < first) bad(text, "reversed range '" + std::string(item) + "'");
      for (int cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
    }
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  std::vector<int> sorted = cpus;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string out;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(sorted[i]);
    if (j > i) out += '-' + std::to_string(sorted[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace iomb::cpu
