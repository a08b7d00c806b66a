// HTTP/1.1 client session (DESIGN §3.4, §4.1) for `iomb load --protocol http --path P`.
// The request is built once per connection and repeated in one buffer, so --pipeline requests
// go out in one send; responses are parsed incrementally (http_response_parser.h) and checked:
// status 200 (another final status is counted as an error; a 1xx interim response is skipped,
// a 101 nobody asked for is invalid), body exactly `Hello, World!` (/), `ok` (/healthz), the
// bytes sent (/echo), or session JSON (/session) whose `visits` must continue, counting lost,
// stale and skipped visits. Each connection is one client with a cookie jar (cookie_jar.h):
// every Set-Cookie is kept and sent back as a browser would, so a balancer's sticky cookie
// works; a /session response to a request pipelined before the client adopted its session
// leaves the jar alone. Owned by one connection's load thread; nothing is allocated per request
// in the steady state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/load/client_protocol.h"
#include "harness/load/cookie_jar.h"
#include "harness/load/http_response_parser.h"

namespace iomb::harness {

enum class HttpPath { kRoot, kHealthz, kEcho, kSession };

// Parses a --path value; false when unknown.
bool parse_http_path(std::string_view text, HttpPath* out);
const char* http_path_text(HttpPath p);

struct HttpTarget {
  std::string host_header;  // "HOST:PORT"
  HttpPath path = HttpPath::kRoot;
  uint64_t body_size = 64;  // /echo
  int pipeline = 1;
};

class HttpClient final : public ClientProtocol, private HttpResponseParser::Handler {
 public:
  // `body_seed` picks this connection's /echo payload (pseudo-random bytes).
  HttpClient(const HttpTarget& target, uint64_t body_seed);

  void add_request() override;
  std::span<const char> output() const override;
  void consume_output(size_t n) override { sent_ += n; }
  int64_t on_input(const char* data, size_t n) override;
  bool response_failed(int64_t i) const override {
    return failed_in_call_[static_cast<size_t>(i)] != 0;
  }
  const std::string& error() const override { return error_; }
  void reset(uint64_t incarnation) override;
  bool peer_closing() const override { return peer_closing_; }
  void reconnect(uint64_t incarnation) override;
  void reconnect_after_error(uint64_t incarnation) override;
  const ProtocolCounters* counters() const override { return &counters_; }

  // The Cookie header value the next requests carry ("" when none).
  const std::string& cookie_header() const { return jar_.header(); }

 private:
  bool on_response_head(const ResponseHead& head) override;
  bool on_response_body(const char* data, size_t n) override;
  bool on_response_end() override;

  void start_socket();
  void rebuild_requests();
  bool check_session_body(uint32_t tag);
  void adopt_session(std::string_view sid, uint64_t visits);
  void take_cookies();
  bool fail(const std::string& what);

  const HttpTarget& target_;
  uint64_t body_seed_;
  HttpResponseParser parser_;
  std::string requests_;  // `copies_` back-to-back copies of the request
  std::string scratch_;   // one request, while building
  size_t request_len_ = 0;
  size_t body_offset_ = 0;  // of the /echo body inside a request
  size_t copies_ = 1;
  uint64_t queued_ = 0;  // bytes since the buffer was (re)built
  uint64_t sent_ = 0;

  // Per in-flight request: the session generation its cookie belonged to (ring, pipeline-sized).
  std::unique_ptr<uint32_t[]> tags_;
  uint32_t tag_mask_ = 0;
  uint32_t tag_head_ = 0;
  uint32_t tag_tail_ = 0;

  // Current response.
  int status_ = 0;
  bool interim_ = false;  // a 1xx: skipped, it answers no request
  bool failed_ = false;   // a non-2xx final response
  bool checking_body_ = false;
  uint64_t body_seen_ = 0;
  std::string body_;  // collected body (/, /healthz, /session), capacity kept
  std::span<const std::string_view> set_cookies_;  // the parser's, valid until the response ends
  bool sets_sid_ = false;  // the response sets cookie `sid`: the server created a session
  bool keep_alive_ = true;

  // Cookies and session continuity (/session).
  CookieJar jar_;
  uint64_t built_jar_version_ = 0;  // the jar's version the request buffer carries
  std::string sid_;          // the session id we follow (from the response body); empty = none
  uint64_t visits_ = 0;      // last visits seen for sid_
  uint32_t generation_ = 0;  // bumped whenever sid_ changes
  uint32_t built_generation_ = 0;
  bool rebuild_wanted_ = false;

  uint64_t responses_on_socket_ = 0;
  bool peer_closing_ = false;
  int64_t completed_in_call_ = 0;
  std::vector<uint8_t> failed_in_call_;  // per response completed in this on_input call
  ProtocolCounters counters_;
  std::string error_;
};

}  // namespace iomb::harness
