// The ways a cluster keeps HTTP sessions (DESIGN §4.7), as `iomb cluster --strategy` names them,
// and what each needs: the balancer's stickiness and layer, each node's session store flags,
// and whether Redis runs. Pure data; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/cluster/haproxy.h"

namespace iomb::cluster {

enum class Strategy {
  kStickyCookie,     // HAProxy inserts cookie SRV; memory store
  kStickyTable,      // HAProxy stick table on the sid cookie; memory store
  kReplicatedAsync,  // round robin; every node replicates to every other, answers at once
  kReplicatedSync,   // round robin; answers after every live peer acked
  kCentral,          // round robin; Redis holds every session
  kCookie,           // round robin; the session lives in a signed cookie
  kNone,             // round robin; memory store: the broken baseline
  kNoneL4,           // HAProxy mode tcp round robin per connection; memory store (L4 cost)
};

struct StrategyInfo {
  Strategy strategy;
  std::string_view name;
  std::string_view description;
  Stickiness stickiness;
  bool layer7;
  std::string_view store;  // the nodes' --session-store
  std::string_view replication;  // "async"/"sync" for the replicated store, else ""
};

const std::vector<StrategyInfo>& all_strategies();
const StrategyInfo& info(Strategy s);
// "sticky-cookie" -> its info; "all" expands to every strategy. Throws std::invalid_argument
// naming the valid choices.
std::vector<Strategy> parse_strategies(const std::vector<std::string>& names);

}  // namespace iomb::cluster
