// The protocol slot of the load generator: one ClientProtocol per client connection produces
// request bytes and checks response bytes. The echo client is echo_client.h, the HTTP one
// http_client.h; ClientProtocolFactory::make picks by --protocol.
// A client belongs to the load thread that owns its connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "harness/load/load_options.h"

namespace iomb::harness {

// What a protocol counts besides requests (HTTP only; whole run, warm-up included).
struct ProtocolCounters {
  uint64_t non_2xx = 0;           // final responses outside 200..299 (errors, not completions)
  uint64_t interim_1xx = 0;       // 1xx interim responses, skipped (they answer no request)
  uint64_t sessions_created = 0;  // /session responses that started a session (Set-Cookie)
  uint64_t sessions_lost = 0;     // our session gone: a new sid restarting at visits 1
  uint64_t sessions_stale = 0;    // visits lower than expected (rollback, stale replica)
  uint64_t sessions_skipped = 0;  // visits higher than expected (a visit we did not make)
  uint64_t server_closes = 0;     // Connection: close from the server (reconnected)
  uint64_t requests_resent = 0;   // unanswered requests sent again after such a reconnect

  void add(const ProtocolCounters& o) {
    non_2xx += o.non_2xx;
    interim_1xx += o.interim_1xx;
    sessions_created += o.sessions_created;
    sessions_lost += o.sessions_lost;
    sessions_stale += o.sessions_stale;
    sessions_skipped += o.sessions_skipped;
    server_closes += o.server_closes;
    requests_resent += o.requests_resent;
  }
};

class ClientProtocol {
 public:
  virtual ~ClientProtocol() = default;
  // Appends one request to the output stream. Must not allocate in the steady state.
  virtual void add_request() = 0;
  // A contiguous prefix of the output not yet handed to the kernel (empty when none).
  virtual std::span<const char> output() const = 0;
  virtual void consume_output(size_t n) = 0;
  // Feeds bytes read from the socket. Returns the number of responses they completed, or -1 when
  // a response is wrong (error() then says where and how).
  virtual int64_t on_input(const char* data, size_t n) = 0;
  // Whether the i-th response completed by the last on_input() was a failure the server chose
  // (HTTP non-2xx): it ends its request, but as an error, not as a completed request.
  virtual bool response_failed(int64_t i) const {
    (void)i;
    return false;
  }
  virtual const std::string& error() const = 0;
  // Starts over on a new connection as a new client (churn, reconnect after an error).
  virtual void reset(uint64_t incarnation) = 0;
  // The server announced it closes the connection after the response just parsed
  // (HTTP Connection: close); the output still unsent is dropped.
  virtual bool peer_closing() const { return false; }
  // A new connection for the same client after peer_closing() (HTTP keeps its cookie).
  virtual void reconnect(uint64_t incarnation) { reset(incarnation); }
  // A new connection for the same client after the last one failed (--reconnect); HTTP keeps
  // its cookies, echo starts over.
  virtual void reconnect_after_error(uint64_t incarnation) { reset(incarnation); }
  virtual const ProtocolCounters* counters() const { return nullptr; }
};

class EchoPattern;
struct HttpTarget;

// Shared read-only state the clients of a run need (the echo payload pattern, the HTTP
// request target); built once per run.
struct ClientProtocolFactory {
  const LoadOptions* options = nullptr;
  const EchoPattern* pattern = nullptr;
  const HttpTarget* http = nullptr;  // set for --protocol http
  std::unique_ptr<ClientProtocol> make(uint64_t connection_id) const;
};

}  // namespace iomb::harness
