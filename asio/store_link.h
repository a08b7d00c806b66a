// AsioStoreIo: the LoopStoreIo of asio (common/store/store_link.h): each StoreLink is an asio
// TCP socket on the loop's io_context: async_connect, async_read_some feeding on_input,
// async_write of the output taken from the protocol (one write in flight, from a buffer stable
// until it completes), a steady_timer for the reconnect backoff and one for the kTickMs tick.
// A link's state lives in a shared Impl that its pending handlers keep alive, so destroying the
// StoreLink (the store detaching) with operations pending only closes the socket and cancels
// the timers; the handlers then run with operation_aborted and touch nothing but the Impl.
// shutdown() (the loop stopping) disconnects every link for good: visits in flight complete
// with 503 at once, nothing reconnects, and the io_context runs out of work.
// Threads: one per io_context thread (IoLoop::run attaches the store with it). In
// context-per-thread mode that thread is the only one running the context. In shared mode the
// links' handlers are bound to the loop's strand, and so are the HTTP connections' chains
// while such a store is in use (IoLoop), so a visit, its link and its callback are never
// concurrent, whichever thread runs them. open_link() on the attaching thread; shutdown() on
// the strand.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "asio/asio_types.h"
#include "common/store/store_link.h"

namespace iomb::asio {

class AsioStoreIo final : public store::LoopStoreIo {
 public:
  struct Impl;

  // `strand`: bind every link handler to it (shared mode), or nullptr.
  AsioStoreIo(net::io_context& context, Strand* strand) : context_(context), strand_(strand) {}
  ~AsioStoreIo() override;

  std::unique_ptr<store::StoreLink> open_link(const store::Endpoint& to,
                                              store::StoreProtocol& protocol) override;
  // Disconnects every link for good (on_disconnected: visits in flight fail) and stops their
  // timers. Links opened later stay down.
  void shutdown();

 private:
  net::io_context& context_;
  Strand* const strand_;
  std::mutex mutex_;  // links_ and stopped_: open_link (attaching thread) vs shutdown (strand)
  std::vector<std::weak_ptr<Impl>> links_;
  bool stopped_ = false;
};

}  // namespace iomb::asio
