// Implementation of text_fields.h.
#include "harness/sampling/text_fields.h"

namespace iomb::sampling {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  for (;;) {
    size_t next = text.find(separator, pos);
    if (next == std::string_view::npos) {
      out.push_back(text.substr(pos));
      return out;
    }
    out.push_back(text.substr(pos, next - pos));
    pos = next + 1;
  }
}

std::string_view trim(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\n");
  if (start == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\n");
  return text.substr(start, end - start + 1);
}

}  // namespace iomb::sampling
