// Implementation of strategy.h.
#include "harness/cluster/strategy.h"

#include <algorithm>
#include <stdexcept>

namespace iomb::cluster {

const std::vector<StrategyInfo>& all_strategies() {
  static const std::vector<StrategyInfo> kAll = {
      {Strategy::kStickyCookie, "sticky-cookie",
       "HAProxy inserts cookie SRV (the balancer's own) naming the node; memory store",
       Stickiness::kCookie, true, "memory", ""},
      {Strategy::kStickyTable, "sticky-table",
       "HAProxy stick table keyed on the sid cookie (a stateful balancer); memory store",
       Stickiness::kStickTable, true, "memory", ""},
      {Strategy::kReplicatedAsync, "replicated-async",
       "round robin; each node replicates every change to every other and answers at once",
       Stickiness::kNone, true, "replicated", "async"},
      {Strategy::kReplicatedSync, "replicated-sync",
       "round robin; each node answers after every live peer acked the change",
       Stickiness::kNone, true, "replicated", "sync"},
      {Strategy::kCentral, "central", "round robin; one Redis holds every session",
       Stickiness::kNone, true, "redis", ""},
      {Strategy::kCookie, "cookie", "round robin; the session lives in a signed client cookie",
       Stickiness::kNone, true, "cookie", ""},
      {Strategy::kNone, "none", "round robin per request; memory store (no strategy: broken)",
       Stickiness::kNone, true, "memory", ""},
      {Strategy::kNoneL4, "none-l4",
       "HAProxy mode tcp: round robin per connection, no HTTP parsing; memory store",
       Stickiness::kNone, false, "memory", ""},
  };
  return kAll;
}

const StrategyInfo& info(Strategy s) {
  for (const StrategyInfo& i : all_strategies()) {
    if (i.strategy == s) return i;
  }
  throw std::logic_error("unknown strategy");
}

std::vector<Strategy> parse_strategies(const std::vector<std::string>& names) {
  std::vector<Strategy> out;
  auto add = [&out](Strategy s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  for (const std::string& name : names) {
    if (name == "all") {
      for (const StrategyInfo& i : all_strategies()) add(i.strategy);
      continue;
    }
    auto it = std::find_if(all_strategies().begin(), all_strategies().end(),
                           [&](const StrategyInfo& i) { return i.name == name; });
    if (it == all_strategies().end()) {
      std::string valid = "all";
      for (const StrategyInfo& i : all_strategies()) valid += ", " + std::string(i.name);
      throw std::invalid_argument("unknown strategy '" + name + "' (valid: " + valid + ")");
    }
    add(it->strategy);
  }
  if (out.empty()) throw std::invalid_argument("no strategy given");
  return out;
}

}  // namespace iomb::cluster
