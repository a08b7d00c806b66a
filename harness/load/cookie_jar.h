// CookieJar: one HTTP client's cookies for one origin, as a user agent keeps them (RFC 6265 §5):
// every Set-Cookie is parsed with its attributes (Expires, Max-Age, Domain, Path, Secure,
// HttpOnly), stored by (name, domain, path), replaced, expired and deleted as §5.3 says, and
// sent back in one Cookie header (§5.4: the cookies whose domain and path match the request,
// longest path first, then oldest first). Without one, a load generator that keeps only the
// session's cookie drops a balancer's (HAProxy's `cookie SRV insert`) and sticky routing never
// engages. The origin is plain HTTP, so a Secure cookie is never stored (RFC 6265bis §5.7).
// Not a general browser jar: one host, no public-suffix list, no third-party cookies.
// Owned by one connection's load thread; times are Unix milliseconds given by the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace iomb::harness {

class CookieJar {
 public:
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  static constexpr size_t kMaxCookies = 50;             // per jar (browsers keep 50+ per domain)
  static constexpr size_t kMaxCookieBytes = 4096 + 64;  // name + value of one cookie

  // `host`: the request host (no port), lowercase. `request_path`: the path the client asks for.
  CookieJar(std::string host, std::string request_path);

  // Applies one Set-Cookie header value received at `now_ms`. Returns whether the jar changed.
  bool apply(std::string_view set_cookie, int64_t now_ms);
  // Drops the cookies expired at `now_ms`. Returns whether any was.
  bool expire(int64_t now_ms);
  void clear();

  // The Cookie header value for the request path ("a=1; b=2"), empty when nothing matches.
  // Cookies past their expiry are the caller's to drop first (expire()).
  const std::string& header() const { return header_; }
  // Bumped whenever header() changes.
  uint64_t version() const { return version_; }
  // The earliest expiry among the stored cookies, kNever when all are session cookies.
  int64_t next_expiry_ms() const { return next_expiry_ms_; }
  size_t size() const { return cookies_.size(); }

  // RFC 6265 §5.1.1: a cookie-date to Unix milliseconds; false when it is not one.
  static bool parse_cookie_date(std::string_view text, int64_t* ms);

 private:
  struct Cookie {
    std::string name;
    std::string value;
    std::string domain;
    std::string path;
    int64_t expiry_ms = kNever;
    uint64_t creation = 0;  // order of first creation (kept by a replacement)
    bool host_only = true;
  };

  bool domain_matches(const Cookie& c) const;
  bool path_matches(const Cookie& c) const;
  void rebuild();

  std::string host_;
  std::string request_path_;
  std::string default_path_;
  std::vector<Cookie> cookies_;
  std::string header_;
  std::string scratch_;  // the next header_, while rebuilding
  uint64_t version_ = 0;
  uint64_t next_creation_ = 0;
  int64_t next_expiry_ms_ = kNever;
};

}  // namespace iomb::harness
