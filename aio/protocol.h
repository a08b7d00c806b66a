// StreamProtocol: what a ring loop asks of a protocol that answers from the buffers it
// received (the send queue of provided buffers). One instance per ring loop, called only by
// that loop's thread. EchoProtocol is the echo (RFC 862) implementation. HTTP does not fit
// this seam (it answers from its own output buffer, needs send completions, lingering close
// and a request deadline): the loop drives it directly (ring_loop_http.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "common/server_options.h"

namespace iomb::aio {

class StreamProtocol {
 public:
  enum class Action : uint8_t {
    kSendInput,  // send the received bytes back unchanged, from the buffer they arrived in
    kConsume,    // the bytes were consumed and nothing is to be sent for them now
    kClose,      // flush what is queued, then close the connection
  };
  virtual ~StreamProtocol() = default;
  // A connection in slot `slot` opened / closed (per-connection protocol state hooks).
  virtual void on_open(uint32_t slot) = 0;
  virtual void on_close(uint32_t slot) = 0;
  // Bytes received on the connection in `slot`, in order. Must not throw.
  virtual Action on_data(uint32_t slot, std::span<const char> data) noexcept = 0;
};

class EchoProtocol final : public StreamProtocol {
 public:
  void on_open(uint32_t) override {}
  void on_close(uint32_t) override {}
  Action on_data(uint32_t, std::span<const char>) noexcept override { return Action::kSendInput; }
};

// The StreamProtocol for --protocol echo; nullptr for --protocol http (see above).
std::unique_ptr<StreamProtocol> make_protocol(const ServerOptions& options);

}  // namespace iomb::aio
