// Cookie header parsing (RFC 6265 §4.2 cookie-string: "name=value; name2=value2"). Pure
// function, any thread.
#pragma once

#include <string_view>

namespace iomb::http {

// The value of the first cookie called `name` in a Cookie header value (several Cookie headers
// joined with "; "), without surrounding spaces or DQUOTEs; empty when absent. Names match
// exactly (case-sensitive, as browsers send them back).
std::string_view find_cookie(std::string_view header, std::string_view name);

}  // namespace iomb::http
