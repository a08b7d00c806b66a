// BlockingStoreIo: the LoopStoreIo of threads that may block (bio's connection threads, nio's
// worker threads). A link owns no socket: each flush() borrows a connected socket of its
// endpoint from a small process-wide pool (kSocketsPerEndpoint at most, however many threads
// link to it), writes all output, reads and feeds protocol.on_input() until protocol.idle(),
// and gives the socket back. Visits therefore complete inside the store's visit() call.
//
// What "connected" means here: connected() is true unless the endpoint is in its reconnect
// backoff (a connect failed less than the backoff ago), so a store answers 503 at once instead
// of waiting for a connect that will fail. A socket's per-connection state is shared by every
// protocol that borrows it: when a socket is freshly connected, the borrowing protocol's
// on_connected() runs and its handshake bytes are sent before the output that was already
// pending, so a handshake must leave only socket-wide state (the same for every protocol of
// the store) and a protocol that expects a reply to its handshake must expect it first. A
// protocol is idle between flushes, so it never depends on which socket it gets next.
//
// Deadlines: while waiting, flush() calls protocol.on_tick(now) every kTickMs; when a tick
// leaves no caller waiting (!has_waiters(): it failed the overdue requests) the socket's reply
// stream is out of step and the socket is closed, not returned (on_disconnected() drops the
// requests whose replies are still owed). An EOF or error calls on_disconnected() and
// closes every idle socket of the endpoint too (a restarted server closed them all). A flush
// never lasts longer than kMaxFlushMs, whatever the protocol does.
// Threads: open_link() and the link on the one thread that opened it; the pool is shared.
#pragma once

#include <memory>

#include "common/store/store_link.h"

namespace iomb::store {

// Sockets one endpoint may have open at once, over all threads of the process.
inline constexpr int kSocketsPerEndpoint = 16;
// A connect that has not completed after this is a failed connect.
inline constexpr int64_t kBlockingConnectTimeoutMs = 100;
// The bound on one flush() (a protocol's own deadline is expected to be far shorter).
inline constexpr int64_t kMaxFlushMs = 10'000;

class BlockingStoreIo final : public LoopStoreIo {
 public:
  std::unique_ptr<StoreLink> open_link(const Endpoint& to, StoreProtocol& protocol) override;
  bool blocking() const override { return true; }
};

}  // namespace iomb::store
