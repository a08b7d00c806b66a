// The startup pull of a replicated store: before a node serves, it asks each peer for
// `GET /replication/snapshot` (every live session as replication delta frames) and applies
// what it gets, so a node that joins or restarts does not start empty. A peer that is not up,
// answers anything but 200, sends garbage or takes longer than the bound is skipped (counted):
// the node then holds what the others replicate from now on.
// Threads: the thread that builds the store, before any loop runs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/store/replication_protocol.h"
#include "common/store/store_link.h"

namespace iomb::store {

// A snapshot body larger than this is refused (the peer is skipped).
inline constexpr size_t kMaxSnapshotBytes = 1u << 30;

// The body of `peer`'s 200 answer to GET /replication/snapshot, read within `timeout_ms`;
// nullopt when the peer is down, slow, or answered otherwise.
std::optional<std::string> fetch_snapshot(const Endpoint& peer, int64_t timeout_ms);

// Applies every delta frame of `body` to `apply`; false (nothing more applied) at the first
// frame that is not a well-formed delta.
bool apply_snapshot(std::string_view body, const std::function<void(const SessionDelta&)>& apply);

}  // namespace iomb::store
