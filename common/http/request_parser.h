// RequestParser: one connection's incremental HTTP/1.x request parser, a thin layer over Node's
// http_parser 2.9 (libhttp-parser-dev). It keeps the parse state between reads, so a request
// may arrive split anywhere, and it stops after each complete request, so pipelined requests
// are answered one by one. It enforces the limits of DESIGN §3.4 (8 KiB of headers → 431,
// body over --max-body → 413, chunked body → 501, anything malformed → 400).
// Why http_parser rather than Boost.Beast's parser: its callbacks hand out pointers into the
// caller's buffer and it allocates nothing (the state is a 32-byte struct), so the codec copies
// only what it keeps (the target, the Cookie header, an /echo body) into buffers that are
// reused across requests; Beast's parser needs a message container (basic_fields allocates a
// node per header) or a custom one, and pulls Beast's buffer concepts into every server.
// The cost per request is measured in bench/http/http_parse_bench.cc.
// Owned by one connection; one thread at a time.
#pragma once

#include <http_parser.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/http/request.h"

namespace iomb::http {

// Requests whose request line and headers exceed this are answered 431.
inline constexpr uint32_t kMaxHeaderBytes = 8 * 1024;

class RequestParser {
 public:
  enum class Event { kNeedMore, kRequest, kError };
  struct Result {
    size_t consumed;  // bytes of `data` used; the rest belongs to the next request
    Event event;
  };

  explicit RequestParser(uint64_t max_body);
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses `data` into `request` until one request is complete (kRequest), `data` runs out
  // (kNeedMore, everything consumed) or the input is bad (kError, see error_status()). After
  // kError the parser refuses further input: the connection is to be closed.
  Result parse(std::string_view data, Request& request);

  // The status to answer a kError with: 400, 413, 431 or 501.
  int error_status() const { return error_status_; }
  // True while bytes of a request (or blank lines before one) have been read but not all of it.
  bool mid_request() const { return mid_request_; }
  // True once after the headers of a request with "Expect: 100-continue" and a body were
  // accepted: the caller answers "100 Continue" before the final response.
  bool take_continue() {
    bool c = continue_pending_;
    continue_pending_ = false;
    return c;
  }

 private:
  static int on_message_begin(http_parser* p);
  static int on_url(http_parser* p, const char* at, size_t len);
  static int on_header_field(http_parser* p, const char* at, size_t len);
  static int on_header_value(http_parser* p, const char* at, size_t len);
  static int on_headers_complete(http_parser* p);
  static int on_body(http_parser* p, const char* at, size_t len);
  static int on_message_complete(http_parser* p);
  static const http_parser_settings kSettings;

  http_parser parser_;
  const uint64_t max_body_;
  Request* request_ = nullptr;  // the request being filled, during parse() only
  std::string target_;          // the request target, accumulated across reads
  std::string cookie_;          // Cookie header values joined with "; "
  char field_[8];               // the current header name, enough for "cookie" / "upgrade"
  size_t field_len_ = 0;        // its full length (may exceed sizeof field_)
  bool in_value_ = false;       // the last callback was a header value
  bool value_is_cookie_ = false;
  char expect_[16];  // the Expect header's value (prefix)
  size_t expect_len_ = 0;
  bool value_is_expect_ = false;
  char upgrade_[16];  // the Upgrade header's value (prefix)
  size_t upgrade_len_ = 0;
  bool value_is_upgrade_ = false;
  bool continue_pending_ = false;
  bool keep_body_ = false;
  bool mid_request_ = false;
  bool complete_ = false;
  int error_status_ = 0;
};

}  // namespace iomb::http
