// The HTTP Date header value (RFC 9110 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"), formatted
// at most once per second per thread: each thread keeps its own cached copy, so no locking.
// Any thread.
#pragma once

#include <ctime>
#include <string_view>

namespace iomb::http {

inline constexpr size_t kHttpDateLength = 29;

// The current date; the view stays valid on this thread until the next call.
std::string_view http_date_now();

// Formats `t` (UTC) into `out`, which must hold kHttpDateLength chars.
void format_http_date(std::time_t t, char* out);

}  // namespace iomb::http
