// SpareFd: the process's reserve of descriptors for accepting at the descriptor limit. Each
// accepting loop (a bio acceptor, a nio reactor or acceptor, an aio ring, an asio acceptor)
// owns one SpareFd, and every one of them adds one open /dev/null to a reserve shared by the
// whole process. On EMFILE a loop sheds a pending connection: it closes a reserve descriptor,
// accepts the connection into it, closes that (the peer sees an orderly close instead of
// hanging in the backlog, and a level-triggered poller stops reporting a listener it cannot
// drain) and reopens the reserve descriptor.
//
// The loops share one descriptor table, so a sibling's accept can take the descriptor a shed
// just freed. The reserve is shared, so the shedding loop carries on with another reserve
// descriptor, and it is self-healing: a shed announces itself before it frees a descriptor,
// and every accept checks reserve_short() (one atomic load) and gives the descriptor it got back
// to the reserve, as one more shed connection, when the reserve is short. Only when every
// reserve descriptor is gone (other threads of the process holding each one) is shedding
// impossible; armed() then says so and the loop must pause its listener instead of spinning.
// Any thread; the reserve's changes are serialized by a mutex (they happen only at the limit).
#pragma once

#include "common/unique_fd.h"

namespace iomb {

class SpareFd {
 public:
  SpareFd();  // adds one descriptor to the process's reserve
  ~SpareFd();
  SpareFd(const SpareFd&) = delete;
  SpareFd& operator=(const SpareFd&) = delete;

  // Sheds one pending connection from `listen_fd` with any reserve descriptor. True if one was.
  bool shed_one(int listen_fd);
  // The reserve holds at least one descriptor, so shedding is possible.
  bool armed() const;
  // Reopens the reserve's missing descriptors. Returns armed().
  bool rearm();

  // A shed is under way, or the reserve lost a descriptor to another thread. Checked after
  // every successful accept.
  static bool reserve_short();
  // Closes `fd`, a connection just accepted while the reserve was short, and refills the
  // reserve with the descriptor freed. The caller counts the connection as shed.
  static void give_to_reserve(int fd);

 private:
  UniqueFd spare_;
};

}  // namespace iomb
