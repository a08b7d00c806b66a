// Test helper: splits a byte stream of HTTP/1.1 responses (as HttpCodec writes them) into
// responses, strictly: status line, "Name: value" headers, Content-Length body. Header-only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iomb::http::testing {

struct ParsedResponse {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string raw;

  std::optional<std::string> header(std::string_view name) const {
    for (auto& [k, v] : headers) {
      if (k.size() != name.size()) continue;
      bool same = true;
      for (size_t i = 0; i < k.size(); ++i) same &= (k[i] | 0x20) == (name[i] | 0x20);
      if (same) return v;
    }
    return std::nullopt;
  }
};

// Parses the responses in `stream`; stops at the first incomplete or malformed one and leaves
// its bytes in *rest (if given).
inline std::vector<ParsedResponse> parse_responses(std::string_view stream,
                                                   std::string* rest = nullptr) {
  std::vector<ParsedResponse> out;
  for (;;) {
    size_t head_end = stream.find("\r\n\r\n");
    if (head_end == std::string_view::npos) break;
    std::string_view head = stream.substr(0, head_end);
    ParsedResponse r;
    size_t line_end = head.find("\r\n");
    std::string_view status_line = head.substr(0, line_end);
    if (status_line.substr(0, 9) != "HTTP/1.1 " || status_line.size() < 13) break;
    r.status = std::stoi(std::string(status_line.substr(9, 3)));
    r.reason = std::string(status_line.substr(13));
    long length = -1;
    bool bad = false;
    while (line_end != std::string_view::npos) {
      head = head.substr(line_end + 2);
      line_end = head.find("\r\n");
      std::string_view line = head.substr(0, line_end);
      size_t colon = line.find(": ");
      if (colon == std::string_view::npos) {
        bad = true;
        break;
      }
      r.headers.emplace_back(std::string(line.substr(0, colon)),
                             std::string(line.substr(colon + 2)));
    }
    if (bad) break;
    if (auto cl = r.header("Content-Length")) length = std::stol(*cl);
    if (length < 0) break;
    size_t total = head_end + 4 + static_cast<size_t>(length);
    if (stream.size() < total) break;
    r.body = std::string(stream.substr(head_end + 4, static_cast<size_t>(length)));
    r.raw = std::string(stream.substr(0, total));
    out.push_back(std::move(r));
    stream.remove_prefix(total);
  }
  if (rest != nullptr) *rest = std::string(stream);
  return out;
}

// `raw` with the Date value replaced by "*" (the only bytes allowed to differ between
// servers); a Date value that is not an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") is left
// as it is, so the comparison fails.
inline std::string without_date(std::string raw) {
  size_t at = raw.find("\r\nDate: ");
  if (at == std::string::npos) return raw;
  size_t value = at + 8;
  size_t end = raw.find("\r\n", value);
  if (end == std::string::npos || end - value != 29) return raw;
  std::string_view date(raw.data() + value, 29);
  auto digits = [&](size_t pos, size_t n) {
    for (size_t i = pos; i < pos + n; ++i) {
      if (date[i] < '0' || date[i] > '9') return false;
    }
    return true;
  };
  if (date.substr(3, 2) != ", " || !digits(5, 2) || !digits(12, 4) || !digits(17, 2) ||
      date[19] != ':' || !digits(20, 2) || date[22] != ':' || !digits(23, 2) ||
      date.substr(25) != " GMT") {
    return raw;
  }
  return raw.replace(value, 29, "*");
}

// The sid of a `Set-Cookie: sid=<32 lowercase hex>; Path=/; HttpOnly; SameSite=Lax` header,
// or "" when there is no such header or it has any other shape.
inline std::string sid_from_set_cookie(const ParsedResponse& r) {
  auto cookie = r.header("Set-Cookie");
  constexpr std::string_view kAttributes = "; Path=/; HttpOnly; SameSite=Lax";
  if (!cookie || cookie->size() != 4 + 32 + kAttributes.size()) return "";
  if (cookie->compare(0, 4, "sid=") != 0 ||
      cookie->compare(36, std::string::npos, kAttributes) != 0) {
    return "";
  }
  std::string sid = cookie->substr(4, 32);
  for (char c : sid) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  }
  return sid;
}

}  // namespace iomb::http::testing
