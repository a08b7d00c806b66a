// RingStoreIo: the LoopStoreIo of one ring loop (common/store/store_link.h): each StoreLink it
// opens is a TCP connection driven by ring operations on the loop's own ring: IORING_OP_CONNECT,
// a plain recv into the link's own buffer, one send in flight from a buffer taken out of the
// protocol (stable while the kernel reads it), a timeout SQE for the reconnect backoff, and one
// multishot timeout (kTickMs) for every link's on_tick, armed only while links exist.
// The link state lives in an entry table here, not in the StoreLink handle: a handle destroyed
// with operations in flight leaves its entry orphaned (protocol detached, everything cancelled)
// until the last completion arrived, since the kernel may still write the recv buffer or read
// the send buffer until then; only then is the socket closed and the entry reused (its
// generation, part of every user_data, bumped). Completions of an orphan never reach a
// protocol.
// Ring thread only (the one that owns `ring`); destroy it after the ring is gone.
#pragma once

#include <liburing.h>
#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aio/ring.h"
#include "aio/user_data.h"
#include "common/store/store_link.h"

namespace iomb::aio {

// Which operation of a link a kStoreLink completion is (UserData::buffer).
enum class StoreLinkOp : uint16_t {
  kConnect = 1,
  kRecv,
  kSend,
  kCancel,      // cancel of the link's socket operations or its backoff timer
  kBackoff,     // the reconnect delay
  kTick,        // the io's multishot tick (slot unused)
  kCancelTick,  // cancel of the tick once the last link is gone
};

class RingStoreIo final : public store::LoopStoreIo {
 public:
  static constexpr size_t kRecvBytes = 64 * 1024;

  explicit RingStoreIo(Ring& ring) : ring_(ring) {}
  // Closes the sockets still open (the ring, already gone, no longer uses them).
  ~RingStoreIo() override;
  RingStoreIo(const RingStoreIo&) = delete;
  RingStoreIo& operator=(const RingStoreIo&) = delete;

  std::unique_ptr<store::StoreLink> open_link(const store::Endpoint& to,
                                              store::StoreProtocol& protocol) override;
  // A kStoreLink completion.
  void on_completion(const UserData& ud, const io_uring_cqe& cqe);
  // Operations still in the kernel (the loop waits for them at shutdown, bounded).
  bool busy() const { return entry_ops_ > 0 || tick_armed_ || tick_cancels_ > 0; }

  // For the StoreLink handle.
  bool connected(uint32_t index) const;
  void flush(uint32_t index);
  void release(uint32_t index);

 private:
  enum class State : uint8_t { kConnecting, kConnected, kClosing, kBackoff };
  struct Entry {
    uint16_t generation = 0;
    bool in_use = false;
    store::StoreProtocol* protocol = nullptr;  // null once the handle is gone (orphan)
    sockaddr_in addr{};
    int fd = -1;
    State state = State::kBackoff;
    uint16_t outstanding = 0;  // SQEs whose CQE has not arrived
    bool recv_armed = false;
    bool send_in_flight = false;
    bool backoff_armed = false;
    int64_t backoff_ms = store::kReconnectMinMs;
    __kernel_timespec backoff_ts{};
    std::string send_buf;  // taken from the protocol; the kernel reads it while a send is out
    size_t send_pos = 0;
    std::unique_ptr<char[]> recv_buf;
  };

  io_uring_sqe* entry_sqe(uint32_t index, StoreLinkOp op);
  void start_connect(uint32_t index);
  void arm_recv(uint32_t index);
  void submit_send(uint32_t index);
  void send_more(uint32_t index);
  void on_connect(uint32_t index, int res);
  void on_recv(uint32_t index, int res);
  void on_send(uint32_t index, int res);
  // Error, EOF or a failed connect: cancel what is in flight, tell the protocol, and close
  // (then back off) once nothing is outstanding.
  void fail(uint32_t index);
  void cancel_ops(uint32_t index);
  void finish_close(uint32_t index);
  void arm_backoff(uint32_t index);
  void free_entry(uint32_t index);
  void arm_tick();
  void on_tick(const io_uring_cqe& cqe);

  Ring& ring_;
  std::vector<std::unique_ptr<Entry>> entries_;  // stable addresses: the kernel holds pointers
  std::vector<uint32_t> free_;
  uint32_t live_ = 0;        // entries whose handle exists
  uint32_t entry_ops_ = 0;   // outstanding over all entries
  bool tick_armed_ = false;  // the multishot tick (or its one-shot fallback) is in the kernel
  bool tick_cancel_sent_ = false;
  uint32_t tick_cancels_ = 0;  // cancels of the tick not yet completed
  bool tick_multishot_ = true;
  __kernel_timespec tick_ts_{0, store::kTickMs * 1000000};
};

}  // namespace iomb::aio
