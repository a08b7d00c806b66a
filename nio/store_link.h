// NioStoreIo: nio's LoopStoreIo (common/store/store_link.h), one per EventLoop. Its links are
// non-blocking sockets on the loop's own epoll: connect in the background (EINPROGRESS, then
// EPOLLOUT and SO_ERROR), every byte read goes to the protocol, output is sent at once and
// the rest when EPOLLOUT says so; an error or EOF closes the socket, calls on_disconnected()
// and connects again after the backoff. One timerfd per loop (created with the first link,
// kTickMs, independent of --idle-timeout-ms) drives the protocols' on_tick(), the reconnects
// and the connect timeout. Nothing here ever blocks the loop.
// The loop tells its events apart by their epoll tag: a link's tag is its address with bit 0
// set (dispatch()); the timerfd's is the tick tag passed in.
// Loop thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/store/store_link.h"
#include "common/unique_fd.h"

namespace iomb::nio {

class NioStoreLink;

// A connect still in progress after this fails (and backs off).
inline constexpr int64_t kStoreConnectTimeoutMs = 1000;

class NioStoreIo final : public store::LoopStoreIo {
 public:
  NioStoreIo(int epoll_fd, uint64_t tick_tag);
  ~NioStoreIo() override;
  NioStoreIo(const NioStoreIo&) = delete;
  NioStoreIo& operator=(const NioStoreIo&) = delete;

  std::unique_ptr<store::StoreLink> open_link(const store::Endpoint& to,
                                              store::StoreProtocol& protocol) override;

  // An epoll event: handles it and returns true when `tag` is a link's.
  static bool dispatch(uint64_t tag, uint32_t events);
  // The tick timerfd is readable.
  void on_tick_ready();

 private:
  friend class NioStoreLink;
  void add(NioStoreLink* link);
  void remove(NioStoreLink* link);

  const int epoll_fd_;
  const uint64_t tick_tag_;
  UniqueFd tick_timer_;  // armed while links exist
  std::vector<NioStoreLink*> links_;
  std::unique_ptr<char[]> read_buffer_;  // shared by the links (a read never nests in another)
};

}  // namespace iomb::nio
