// ProtocolHandler: what a connection does with the bytes it reads, kept behind a small
// interface so the IO chain in connection.cc is protocol-agnostic (EchoHandler here,
// HttpHandler in http_handler.h). One instance per connection, called only by that
// connection's chain (one call at a time, possibly from different threads of a shared
// io_context, ordered by Asio).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "common/server_options.h"

namespace iomb::http {
class HttpService;
}

namespace iomb::asio {

struct ProtocolOutput {
  // Bytes to send before the connection reads again. May alias the input span; must stay
  // valid until the next call into the protocol.
  std::span<const char> bytes;
  // Requests answered by this call (the kRequests counter).
  uint64_t requests = 0;
  // Close the connection once `bytes` are sent (HTTP 400, "Connection: close", HTTP/1.0):
  // the connection then does a lingering close (shutdown(SHUT_WR), read and discard).
  bool close_after = false;
  // Nothing to send, but do not read either: a request is being answered elsewhere (an
  // asynchronous session store). The protocol calls ProtocolHost::on_protocol_output() when
  // it has output again.
  bool wait = false;
};

// The connection, as its protocol sees it.
class ProtocolHost {
 public:
  // Output appeared outside on_input()/on_output_sent() (an asynchronous completion); called
  // on one of the connection's IO threads.
  virtual void on_protocol_output() noexcept = 0;

 protected:
  ~ProtocolHost() = default;
};

class ProtocolHandler {
 public:
  virtual ~ProtocolHandler() = default;
  // Called once, before any input.
  virtual void attach(ProtocolHost& /*host*/) noexcept {}
  // `input` holds bytes just read into the connection's buffer (the protocol may consume it in
  // place, and may keep a part of it unconsumed until on_output_sent(): the buffer is not
  // reused before the protocol asks to read). An empty result means "read more". Never throws.
  virtual ProtocolOutput on_input(std::span<char> input) noexcept = 0;
  // Called after a non-empty output was fully sent (and after on_protocol_output()): further
  // output, e.g. from pipelined input held back by --max-pending-bytes. Empty: read.
  virtual ProtocolOutput on_output_sent() noexcept { return {}; }
  // A request has started arriving but is not complete (the request deadline, slowloris).
  virtual bool mid_request() const noexcept { return false; }
};

// RFC 862 echo: every byte read is sent back, from the connection's own buffer (zero copy).
// Each read counts as one request.
class EchoHandler final : public ProtocolHandler {
 public:
  ProtocolOutput on_input(std::span<char> input) noexcept override {
    return {input, 1, false, false};
  }
};

// The protocol for each new connection; `http` is the process's HttpService (required for
// --protocol http, unused for echo).
std::unique_ptr<ProtocolHandler> make_handler(const ServerOptions& options,
                                              const http::HttpService* http);

}  // namespace iomb::asio
