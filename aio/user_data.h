// The 64-bit user_data every SQE of a ring loop carries: which operation it is, which
// connection slot (and which incarnation of it) it belongs to, and for sends the provided
// buffer it transmits (so a zero-copy notification can release exactly that buffer, and a
// cancel can name exactly that send), or
// kNoBuffer for an HTTP send from the connection's own output buffer. A session-store link
// (ring_store_io.h) uses the same layout: its index as the slot, its own generation, and which
// of its operations it is in the buffer field.
// Pure value code; any thread.
#pragma once

#include <cstdint>

namespace iomb::aio {

enum class Op : uint8_t {
  kAccept = 1,     // multishot accept on this loop's listener
  kRecv,           // multishot recv into the provided buffer ring (slot)
  kSend,           // send / send_zc of the head of the slot's queue (slot, buffer)
  kCancel,         // cancel issued for a slot (recv on backpressure, everything on close)
  kClose,          // close of a slot's socket (or direct descriptor)
  kCloseRejected,  // close of a connection refused over --max-conns or at shutdown
  kTick,           // the coarse idle-timeout tick
  kWake,           // read on the loop's eventfd: request_stop()
  kAcceptRetry,    // back-off timer before re-arming accept after an unexpected error
  kCancelLoop,     // cancel of a loop-level operation (accept, tick) at shutdown
  kShutdown,       // shutdown(SHUT_WR) of a slot's socket: HTTP lingering close
  kPressureTimer,  // one-shot timer: look again at who holds the buffer ring while it is low
  kStoreLink,      // a session-store link's operation (slot: link index, buffer: StoreLinkOp)
};

// Layout: op:8 | generation:16 | buffer id:16 | slot:24.
struct UserData {
  Op op;
  uint16_t generation = 0;
  uint16_t buffer = 0;
  uint32_t slot = 0;

  static constexpr uint32_t kMaxSlots = 1u << 24;

  constexpr uint64_t encode() const {
    return (uint64_t{static_cast<uint8_t>(op)} << 56) | (uint64_t{generation} << 40) |
           (uint64_t{buffer} << 24) | (slot & (kMaxSlots - 1));
  }
  static constexpr UserData decode(uint64_t v) {
    return UserData{static_cast<Op>(v >> 56), static_cast<uint16_t>(v >> 40),
                    static_cast<uint16_t>(v >> 24), static_cast<uint32_t>(v & (kMaxSlots - 1))};
  }
};

}  // namespace iomb::aio
