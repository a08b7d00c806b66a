// A blocking-style TCP connect to a store endpoint with a time bound, for the threads that may
// block (BlockingStoreIo's pool, the replication peer threads, the startup snapshot pull).
// Any thread.
#pragma once

#include <cstdint>

#include "common/store/store_link.h"
#include "common/unique_fd.h"

namespace iomb::store {

// A connected socket to `to` (TCP_NODELAY, left non-blocking: callers wait in poll() with
// their own deadlines), or an invalid fd when the connect failed or took over `timeout_ms`.
UniqueFd connect_with_timeout(const Endpoint& to, int64_t timeout_ms);

}  // namespace iomb::store
