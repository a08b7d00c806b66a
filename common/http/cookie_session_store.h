// CookieSessionStore: --session-store cookie (DESIGN §3.5). The whole session travels in the
// client's `sess` cookie, signed with HMAC-SHA256; the server holds nothing. Every visit
// completes synchronously inside visit() and re-issues the cookie (visits+1, new expiry).
// Cookie value: base64url (no padding) of
//   version(1)=1 | key_id(4) | expires_ms(8) | sid(16) | visits(8) | created_at_ms(8) |
//   last_seen_ms(8) | created_by_len(1) | created_by | payload_len(4) | payload | mac(32)
// integers little-endian; mac = HMAC-SHA256(key, every byte before it). key_id = the first 4
// bytes of SHA-256(key), so the verifying key is found without trying each one.
// Rejection reasons: malformed (bad base64url, bad layout, wrong version), wrong_key (key id of
// no configured key), tampered (known key id, MAC mismatch; a flipped key-id byte therefore
// counts as wrong_key), expired (valid MAC, expires_ms passed). A rejected cookie starts a new
// session. A cookie whose `sess=<value>` would exceed 4096 bytes is refused (500, too_large).
// Thread-safe: the keys are immutable, counters atomic, scratch buffers thread_local.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/http/session_store.h"

namespace iomb::http {

struct CookieKey {
  std::string secret;
  std::array<unsigned char, 4> id{};
};

// Parses --cookie-secret-file contents: one key per line, raw text (no trailing whitespace
// trimmed except \r); blank lines ignored. Throws std::invalid_argument when there is no key
// or a key is shorter than 16 bytes. The first key signs; all verify.
std::vector<CookieKey> parse_cookie_keys(std::string_view contents);
// Reads and parses `path`; throws std::invalid_argument naming the problem.
std::vector<CookieKey> load_cookie_keys(const std::string& path);

struct CookieSessionStoreOptions {
  uint64_t ttl_s = 1800;
  uint64_t payload_bytes = 0;
  std::string node_id;
  std::vector<CookieKey> keys;  // at least one
  // Milliseconds on the wall clock (cookies outlive a process); tests inject a fake one.
  std::function<int64_t()> now_ms;
};

class CookieSessionStore final : public SessionStore {
 public:
  static constexpr size_t kMaxCookieBytes = 4096;  // name + '=' + value (RFC 6265 §6.1)

  explicit CookieSessionStore(CookieSessionStoreOptions options);

  void visit(const VisitRequest& request, VisitCallback& done) override;
  SessionStoreStats stats() const override;

 private:
  enum Counter { kIssued, kTampered, kMalformed, kWrongKey, kExpired, kTooLarge, kCount };
  struct Decoded {
    SessionId sid;
    uint64_t visits = 0;
    int64_t created_at_ms = 0;
    std::string_view created_by;  // into the decode scratch buffer
  };
  // Returns kCount when the cookie verified, else the rejection reason.
  Counter decode(std::string_view value, int64_t now, Decoded& out) const;
  int64_t now() const;

  const CookieSessionStoreOptions options_;
  const int64_t ttl_ms_;
  std::array<std::atomic<uint64_t>, kCount> counters_{};
  std::atomic<uint64_t> created_{0};
};

}  // namespace iomb::http
