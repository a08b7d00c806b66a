// Implementation of cookie_session_store.h.
#include "common/http/cookie_session_store.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace iomb::http {
namespace {

constexpr unsigned char kVersion = 1;
constexpr size_t kMacBytes = 32;
constexpr size_t kMinKeyBytes = 16;
constexpr std::string_view kCookieName = "sess=";
constexpr std::string_view kAttributes = "; Path=/; HttpOnly; SameSite=Lax";
// version, key id, expires, sid, visits, created_at, last_seen, created_by_len, payload_len.
constexpr size_t kFixedBytes = 1 + 4 + 8 + 16 + 8 + 8 + 8 + 1 + 4;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t base64url_length(size_t n) { return (n * 4 + 2) / 3; }

void base64url_append(std::string& out, std::string_view in) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{p[i]} << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
}

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// False on a character outside the alphabet or an impossible length (4k+1).
bool base64url_decode(std::string_view in, std::string& out) {
  out.clear();
  if (in.size() % 4 == 1) return false;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = base64url_value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get_u64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint32_t get_u32(const unsigned char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void mac(const CookieKey& key, std::string_view data, unsigned char* out) {
  unsigned int len = kMacBytes;
  HMAC(EVP_sha256(), key.secret.data(), static_cast<int>(key.secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
}

}  // namespace

std::vector<CookieKey> parse_cookie_keys(std::string_view contents) {
  std::vector<CookieKey> keys;
  size_t line_no = 0;
  while (!contents.empty()) {
    size_t end = contents.find('\n');
    std::string_view line = contents.substr(0, end);
    contents = end == std::string_view::npos ? std::string_view{} : contents.substr(end + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (line.size() < kMinKeyBytes) {
      throw std::invalid_argument("--cookie-secret-file: the key on line " +
                                  std::to_string(line_no) + " is shorter than 16 bytes");
    }
    CookieKey key;
    key.secret.assign(line);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(line.data()), line.size(), digest);
    std::memcpy(key.id.data(), digest, key.id.size());
    keys.push_back(std::move(key));
  }
  if (keys.empty()) throw std::invalid_argument("--cookie-secret-file holds no key");
  return keys;
}

std::vector<CookieKey> load_cookie_keys(const std::string& path) {
  if (path.empty()) {
    throw std::invalid_argument("--session-store cookie needs --cookie-secret-file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("--cookie-secret-file " + path + " cannot be read");
  std::ostringstream contents;
  contents << in.rdbuf();
  return parse_cookie_keys(contents.str());
}

CookieSessionStore::CookieSessionStore(CookieSessionStoreOptions options)
    : options_(std::move(options)), ttl_ms_(static_cast<int64_t>(options_.ttl_s) * 1000) {
  if (options_.keys.empty()) throw std::invalid_argument("cookie store: no key");
  if (options_.node_id.size() > 255) {
    throw std::invalid_argument("--node-id longer than 255 bytes cannot go into a cookie");
  }
}

int64_t CookieSessionStore::now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

CookieSessionStore::Counter CookieSessionStore::decode(std::string_view value, int64_t now,
                                                       Decoded& out) const {
  thread_local std::string raw;
  if (!base64url_decode(value, raw)) return kMalformed;
  if (raw.size() < kFixedBytes + kMacBytes) return kMalformed;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  if (p[0] != kVersion) return kMalformed;
  size_t by_len = p[1 + 4 + 8 + 16 + 8 + 8 + 8];
  size_t payload_at = kFixedBytes - 4 + by_len;
  if (raw.size() < payload_at + 4 + kMacBytes) return kMalformed;
  size_t payload_len = get_u32(p + payload_at);
  if (raw.size() != payload_at + 4 + payload_len + kMacBytes) return kMalformed;
  const CookieKey* key = nullptr;
  for (const auto& k : options_.keys) {
    if (std::memcmp(k.id.data(), p + 1, 4) == 0) {
      key = &k;
      break;
    }
  }
  if (key == nullptr) return kWrongKey;
  unsigned char expected[kMacBytes];
  size_t signed_len = raw.size() - kMacBytes;
  mac(*key, std::string_view(raw.data(), signed_len), expected);
  if (CRYPTO_memcmp(expected, p + signed_len, kMacBytes) != 0) return kTampered;
  if (static_cast<int64_t>(get_u64(p + 5)) <= now) return kExpired;
  out.sid.hi = get_u64(p + 13);
  out.sid.lo = get_u64(p + 21);
  out.visits = get_u64(p + 29);
  out.created_at_ms = static_cast<int64_t>(get_u64(p + 37));
  out.created_by = std::string_view(raw.data() + kFixedBytes - 4, by_len);
  return kCount;
}

void CookieSessionStore::visit(const VisitRequest& request, VisitCallback& done) {
  const int64_t t = now();
  VisitResult result;
  Decoded session;
  bool found = false;
  if (!request.sess.empty()) {
    Counter verdict = decode(request.sess, t, session);
    if (verdict == kCount) {
      found = true;
    } else {
      counters_[verdict].fetch_add(1, std::memory_order_relaxed);
    }
  }
  thread_local std::string created_by;
  if (found) {
    created_by.assign(session.created_by);
    session.visits += 1;
  } else {
    session.sid = SessionId::random();
    session.visits = 1;
    session.created_at_ms = t;
    created_by.assign(options_.node_id);
  }
  const size_t encoded_len =
      base64url_length(kFixedBytes + created_by.size() + options_.payload_bytes + kMacBytes);
  if (kCookieName.size() + encoded_len > kMaxCookieBytes) {
    counters_[kTooLarge].fetch_add(1, std::memory_order_relaxed);
    result.status = 500;
    done.on_visit(result);
    return;
  }
  thread_local std::string raw;
  raw.clear();
  const CookieKey& signer = options_.keys.front();
  raw.push_back(static_cast<char>(kVersion));
  raw.append(reinterpret_cast<const char*>(signer.id.data()), signer.id.size());
  put_u64(raw, static_cast<uint64_t>(t + ttl_ms_));
  put_u64(raw, session.sid.hi);
  put_u64(raw, session.sid.lo);
  put_u64(raw, session.visits);
  put_u64(raw, static_cast<uint64_t>(session.created_at_ms));
  put_u64(raw, static_cast<uint64_t>(t));
  raw.push_back(static_cast<char>(created_by.size()));
  raw.append(created_by);
  put_u32(raw, static_cast<uint32_t>(options_.payload_bytes));
  raw.append(static_cast<size_t>(options_.payload_bytes), 'p');
  unsigned char tag[kMacBytes];
  mac(signer, raw, tag);
  raw.append(reinterpret_cast<const char*>(tag), kMacBytes);
  thread_local std::string cookie;
  cookie.clear();
  cookie.append(kCookieName);
  base64url_append(cookie, raw);
  cookie.append(kAttributes);
  counters_[kIssued].fetch_add(1, std::memory_order_relaxed);
  if (!found) created_.fetch_add(1, std::memory_order_relaxed);
  result.sid = session.sid;
  result.visits = session.visits;
  result.created = !found;
  result.created_by = created_by;
  result.set_cookie = cookie;
  done.on_visit(result);
}

SessionStoreStats CookieSessionStore::stats() const {
  SessionStoreStats s;
  s.created = created_.load(std::memory_order_relaxed);
  static constexpr std::string_view kNames[kCount] = {
      "issued",           "rejected_tampered", "rejected_malformed", "rejected_wrong_key",
      "rejected_expired", "too_large"};
  for (int i = 0; i < kCount; ++i) {
    s.counters.emplace_back(kNames[i], counters_[i].load(std::memory_order_relaxed));
  }
  return s;
}

}  // namespace iomb::http
