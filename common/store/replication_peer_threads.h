// ReplicationPeerThreads: the replication links of a replicated store whose visiting threads
// may block (bio's connection threads, nio's workers: BlockingStoreIo). A link to a peer must
// stay open between visits (acks, heartbeats) and no such thread runs a loop to carry it, so
// each peer gets a thread of its own — the thread-per-connection way — that owns the socket
// (non-blocking, in poll() with an eventfd to wake it) and carries that peer's
// ReplicationSender. A visiting thread hands its delta to every sender under the store-wide
// mutex, wakes their threads and, with --replication sync, waits on its own condition variable
// until every live peer acked it (the senders' ticks bound the wait by the ack timeout, after
// which the peer is marked down).
// Threads: replicate() on any visiting thread; one thread per peer inside; every sender call
// under mutex_.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "common/store/replication_protocol.h"
#include "common/store/store_link.h"
#include "common/unique_fd.h"

namespace iomb::store {

class ReplicationPeerThreads final : private AckWaiter {
 public:
  ReplicationPeerThreads(const std::vector<Endpoint>& peers, ReplicationCounters& counters,
                         int64_t timeout_ms, std::function<int64_t()> now_ms,
                         ReplicationSender::Resync resync = {});
  ~ReplicationPeerThreads();  // stops and joins the peer threads
  ReplicationPeerThreads(const ReplicationPeerThreads&) = delete;
  ReplicationPeerThreads& operator=(const ReplicationPeerThreads&) = delete;

  // Queues `frame` (one delta) to every peer; `sync`: returns once every live peer acked it,
  // or its sender gave up waiting (timed out: marked down; link lost).
  void replicate(std::string_view frame, bool sync);

 private:
  struct Peer {
    Endpoint to;
    std::unique_ptr<ReplicationSender> sender;
    UniqueFd wake;  // eventfd: output was queued, or stop
    std::thread thread;
  };
  struct Waiter {
    uint32_t remaining = 0;
    std::condition_variable* done = nullptr;
  };

  void release(uint32_t slot) override;  // under mutex_
  void wake(Peer& peer);
  void run(Peer& peer);
  // Waits `ms` before the next connect, or until the store stops.
  void back_off(Peer& peer, int64_t ms);
  // Carries one connected socket until it fails or the store stops.
  void serve(Peer& peer, int fd);

  const int64_t timeout_ms_;
  const std::function<int64_t()> now_ms_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Peer>> peers_;
  std::vector<Waiter> waiters_;  // by slot
  std::vector<uint32_t> free_slots_;
  bool stopping_ = false;
};

}  // namespace iomb::store
