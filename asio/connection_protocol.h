// ConnectionProtocol: what a connection does with the bytes it reads, kept behind a small
// interface so the IO chain in connection.cc is protocol-agnostic (echo today; the HTTP codec
// from common/ plugs in here later). One instance per connection, called only by that
// connection's chain (one call at a time, possibly from different threads of a shared
// io_context, ordered by Asio).
#pragma once

#include <memory>
#include <span>

#include "common/server_options.h"

namespace iomb::asio {

struct ProtocolOutput {
  // Bytes to send before the connection reads again. May alias the input span; must stay
  // valid until the next call into the protocol.
  std::span<const char> bytes;
  // Close the connection once `bytes` are sent (e.g. HTTP 400, "Connection: close").
  bool close_after = false;
};

class ConnectionProtocol {
 public:
  virtual ~ConnectionProtocol() = default;
  // `input` holds bytes just read into the connection's buffer (the protocol may consume it in
  // place). An empty result means "read more". Never throws.
  virtual ProtocolOutput on_input(std::span<char> input) noexcept = 0;
  // Called after a non-empty output was fully sent: further output produced from input already
  // consumed (e.g. pipelined HTTP responses held back by --max-pending-bytes). Empty: read.
  virtual ProtocolOutput on_output_sent() noexcept { return {}; }
};

// RFC 862 echo: every byte read is sent back, from the connection's own buffer (zero copy).
class EchoProtocol final : public ConnectionProtocol {
 public:
  ProtocolOutput on_input(std::span<char> input) noexcept override { return {input, false}; }
};

// The protocol for each new connection. Throws std::runtime_error (at server construction, via
// check_protocol_supported) for a protocol iomb-asio does not serve yet.
std::unique_ptr<ConnectionProtocol> make_protocol(const ServerOptions& options);
void check_protocol_supported(const ServerOptions& options);

}  // namespace iomb::asio
