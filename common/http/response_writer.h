// Appends complete HTTP/1.1 responses to an output buffer. Every server answers through this
// one function, so their bytes are identical apart from the Date header. Appending to a buffer
// that already has the capacity allocates nothing. Any thread (no shared state).
#pragma once

#include <string>
#include <string_view>

namespace iomb::http {

enum class ConnectionHeader {
  kNone,       // HTTP/1.1 keep-alive: nothing to say
  kKeepAlive,  // HTTP/1.0 client that asked for keep-alive
  kClose,      // the server closes after this response
};

struct ResponseHead {
  int status = 200;
  std::string_view content_type = "text/plain";
  ConnectionHeader connection = ConnectionHeader::kNone;
  // Further header lines, each ending in "\r\n" (e.g. "X-Node: a\r\n"), or empty.
  std::string_view extra_headers;
};

// The reason phrase of the statuses this server sends ("OK", "Not Found", ...).
std::string_view reason_phrase(int status);

// Appends the status line, Server, Date, Content-Type, Content-Length, Connection (if any),
// the extra headers, a blank line and `body` to `out`.
void append_response(std::string& out, const ResponseHead& head, std::string_view body);

// The status line and headers only, for a body the caller appends itself (body_length bytes).
void append_response_head(std::string& out, const ResponseHead& head, size_t body_length);

}  // namespace iomb::http
