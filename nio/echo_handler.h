// EchoHandler: the echo protocol (RFC 862) as a nio ProtocolHandler: every byte in goes straight
// back out. Stateless; loop thread only. Echo never uses the worker pool, so in workers mode it
// behaves exactly like acceptor mode.
#pragma once

#include "nio/protocol_handler.h"

namespace iomb::nio {

class EchoHandler final : public ProtocolHandler {
 public:
  HandlerStatus on_input(std::span<const char> in, HandlerIo& io) override {
    io.write(in);
    io.count_requests(1);  // for echo, every read counts as one request
    return HandlerStatus::kContinue;
  }
};

}  // namespace iomb::nio
