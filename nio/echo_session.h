// EchoSession: the echo protocol (RFC 862) as a nio Session: every byte in goes straight back
// out. Stateless; loop thread only. Echo never uses the worker pool, so in workers mode it
// behaves exactly like acceptor mode.
#pragma once

#include "nio/session.h"

namespace iomb::nio {

class EchoSession final : public Session {
 public:
  SessionStatus on_input(std::span<const char> in, SessionIo& io) override {
    io.write(in);
    io.count_requests(1);  // for echo, every read counts as one request
    return SessionStatus::kContinue;
  }
};

}  // namespace iomb::nio
