// The protocol slot of the load generator: one ClientSession per client connection produces
// request bytes and checks response bytes. The echo session is echo_session.h; an HTTP codec
// plugs in by implementing this interface (and make_client_session learning its name).
// A session belongs to the load thread that owns its connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "harness/load_options.h"

namespace iomb::harness {

class ClientSession {
 public:
  virtual ~ClientSession() = default;
  // Appends one request to the output stream. Must not allocate in the steady state.
  virtual void add_request() = 0;
  // A contiguous prefix of the output not yet handed to the kernel (empty when none).
  virtual std::span<const char> output() const = 0;
  virtual void consume_output(size_t n) = 0;
  // Feeds bytes read from the socket. Returns the number of responses they completed, or -1 when
  // a response is wrong (error() then says where and how).
  virtual int64_t on_input(const char* data, size_t n) = 0;
  virtual const std::string& error() const = 0;
  // Starts over on a new connection (churn, reconnect).
  virtual void reset(uint64_t incarnation) = 0;
};

class EchoPattern;

// Shared read-only state the sessions of a run need (the echo payload pattern).
struct SessionFactory {
  const LoadOptions* options = nullptr;
  const EchoPattern* pattern = nullptr;
  std::unique_ptr<ClientSession> make(uint64_t connection_id) const;
};

}  // namespace iomb::harness
