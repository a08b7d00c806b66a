// Implementation of floor_lookup.h.
#include "harness/result/floor_lookup.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <string_view>

#include "common/units.h"

namespace iomb::result {
namespace {

// "recv_send_64B_ns" → 64, "recv_send_4KiB_ns" → 4096; nullopt for other keys.
std::optional<uint64_t> size_of_key(std::string_view key) {
  constexpr std::string_view kHead = "recv_send_";
  constexpr std::string_view kTail = "_ns";
  if (key.size() <= kHead.size() + kTail.size() || !key.starts_with(kHead) ||
      !key.ends_with(kTail)) {
    return std::nullopt;
  }
  std::string_view size = key.substr(kHead.size(), key.size() - kHead.size() - kTail.size());
  try {
    return parse_size(size);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::vector<FloorValue> floor_values(const nlohmann::json& context) {
  std::vector<FloorValue> out;
  if (!context.is_object() || !context.contains("floor")) return out;
  const auto& floor = context["floor"];
  if (floor.is_number() && floor.get<double>() > 0) {
    out.push_back({0, floor.get<double>()});
    return out;
  }
  if (!floor.is_object()) return out;
  for (const auto& [key, value] : floor.items()) {
    auto size = size_of_key(key);
    if (size && value.is_number() && value.get<double>() > 0) {
      out.push_back({*size, value.get<double>()});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const FloorValue& a, const FloorValue& b) { return a.size < b.size; });
  return out;
}

std::optional<double> floor_for_size(const nlohmann::json& context, uint64_t size) {
  auto values = floor_values(context);
  if (values.empty()) return std::nullopt;
  auto distance = [size](const FloorValue& f) {
    if (f.size == 0 || size == 0) return 0.0;
    return std::fabs(std::log(static_cast<double>(f.size)) - std::log(static_cast<double>(size)));
  };
  return std::min_element(
             values.begin(), values.end(),
             [&](const FloorValue& a, const FloorValue& b) { return distance(a) < distance(b); })
      ->ns;
}

}  // namespace iomb::result
