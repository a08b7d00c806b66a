// HttpResponseParser: incremental HTTP/1.1 response parsing for the load generator, over Node's
// http_parser (libhttp-parser-dev) in HTTP_RESPONSE mode. Bytes may arrive split anywhere and
// several pipelined responses may arrive in one read; the handler sees, per response, the head
// (status, Content-Length, keep-alive, every Set-Cookie header whole, for a cookie jar), the
// body in pieces, and the end. Nothing is allocated per response once the Set-Cookie buffer has
// the capacity its largest response needed.
// Owned by one connection's load thread.
#pragma once

#include <http_parser.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace iomb::harness {

struct ResponseHead {
  int status = 0;
  uint64_t content_length = 0;  // kNoContentLength when the response had none
  bool keep_alive = true;       // false: Connection: close (or HTTP/1.0 without keep-alive)
  // Each Set-Cookie header's value, attributes included, in order (the first kMaxSetCookies).
  // Valid until the response ends (on_response_end() included).
  std::span<const std::string_view> set_cookies;
};

class HttpResponseParser {
 public:
  static constexpr uint64_t kNoContentLength = UINT64_MAX;
  static constexpr size_t kMaxSetCookieBytes = 16 * 1024;  // all of one response's together
  static constexpr size_t kMaxSetCookies = 16;             // more are ignored

  class Handler {
   public:
    virtual ~Handler() = default;
    // Each returns false to stop parsing (a wrong response); feed() then returns false.
    virtual bool on_response_head(const ResponseHead& head) = 0;
    virtual bool on_response_body(const char* data, size_t n) = 0;
    virtual bool on_response_end() = 0;
  };

  explicit HttpResponseParser(Handler& handler);
  HttpResponseParser(const HttpResponseParser&) = delete;
  HttpResponseParser& operator=(const HttpResponseParser&) = delete;

  // Parses `n` bytes. False on a malformed response or a handler refusal; error() says which
  // (empty when the handler refused: the handler knows why).
  bool feed(const char* data, size_t n);
  // Starts over (a new connection).
  void reset();
  const std::string& error() const { return error_; }
  // A response is partly parsed.
  bool mid_response() const { return in_message_; }

 private:
  static int on_message_begin(http_parser* p);
  static int on_header_field(http_parser* p, const char* at, size_t len);
  static int on_header_value(http_parser* p, const char* at, size_t len);
  static int on_headers_complete(http_parser* p);
  static int on_body(http_parser* p, const char* at, size_t len);
  static int on_message_complete(http_parser* p);
  static const http_parser_settings kSettings;

  Handler& handler_;
  http_parser parser_{};
  // Header name matching across split callbacks: how much of "set-cookie" matched so far.
  size_t field_matched_ = 0;
  bool field_is_set_cookie_ = false;
  bool field_started_ = false;
  bool last_was_value_ = false;
  bool capturing_cookie_ = false;
  bool in_message_ = false;
  bool handler_refused_ = false;
  std::string cookies_;  // this response's Set-Cookie values, back to back (capacity kept)
  std::array<size_t, kMaxSetCookies + 1> cookie_starts_{};  // offsets in cookies_; [count] = end
  size_t cookie_count_ = 0;
  std::array<std::string_view, kMaxSetCookies> cookie_views_;
  std::string error_;
};

}  // namespace iomb::harness
