// Finds this machine's floor (DESIGN §4.6, ns per loopback recv+send) in a result context for a
// message size. The context holds e.g. floor: {"recv_send_64B_ns": 4200, "recv_send_4KiB_ns":
// 6100} (also accepted: recv_send_64_ns, a bare number); the entry nearest in size (log scale)
// wins. The writer is run/floor.cc (floor_to_json). Pure; any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace iomb::result {

struct FloorValue {
  uint64_t size = 0;  // message size it was measured at; 0 when unknown
  double ns = 0;
};

// Every usable floor entry of context["floor"], by size.
std::vector<FloorValue> floor_values(const nlohmann::json& context);

std::optional<double> floor_for_size(const nlohmann::json& context, uint64_t size);

}  // namespace iomb::result
