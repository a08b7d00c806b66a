// Implementation of http_client.h.
#include "harness/load/http_client.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace iomb::harness {
namespace {

constexpr size_t kBatchBytes = 256 * 1024;  // most request bytes one send hands out
constexpr size_t kMaxCollect = 4096;        // largest body kept for checking (/, /session)
constexpr size_t kMaxSid = 128;
constexpr std::string_view kHello = "Hello, World!";
constexpr std::string_view kOk = "ok";

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Up to 80 bytes of `s` for an error message, non-printable bytes as \xNN.
std::string printable(std::string_view s) {
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < 80; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  out += s.size() > 80 ? "'..." : "'";
  return out;
}

// The string value of "key":"..." in a flat JSON object, or nullopt-like empty + false.
bool json_string(std::string_view body, std::string_view key, std::string_view* out) {
  size_t k = body.find(key);
  if (k == std::string_view::npos) return false;
  size_t start = k + key.size();
  size_t end = body.find('"', start);
  if (end == std::string_view::npos) return false;
  *out = body.substr(start, end - start);
  return true;
}

bool json_uint(std::string_view body, std::string_view key, uint64_t* out) {
  size_t k = body.find(key);
  if (k == std::string_view::npos) return false;
  const char* first = body.data() + k + key.size();
  const char* last = body.data() + body.size();
  auto [ptr, ec] = std::from_chars(first, last, *out);
  return ec == std::errc() && ptr != first && ptr != last && (*ptr == ',' || *ptr == '}');
}

// The host of a "HOST:PORT" Host header value, for the jar's domain matching.
std::string host_of(std::string_view host_header) {
  if (host_header.starts_with('[')) {
    const size_t close = host_header.find(']');
    return std::string(host_header.substr(0, close == std::string_view::npos ? close : close + 1));
  }
  return std::string(host_header.substr(0, host_header.rfind(':')));
}

// The name of a Set-Cookie value (before '=', trimmed).
std::string_view cookie_name(std::string_view set_cookie) {
  std::string_view name = set_cookie.substr(0, set_cookie.find_first_of("=;"));
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  return name;
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool parse_http_path(std::string_view text, HttpPath* out) {
  if (text == "/") {
    *out = HttpPath::kRoot;
  } else if (text == "/healthz") {
    *out = HttpPath::kHealthz;
  } else if (text == "/echo") {
    *out = HttpPath::kEcho;
  } else if (text == "/session") {
    *out = HttpPath::kSession;
  } else {
    return false;
  }
  return true;
}

const char* http_path_text(HttpPath p) {
  switch (p) {
    case HttpPath::kHealthz:
      return "/healthz";
    case HttpPath::kEcho:
      return "/echo";
    case HttpPath::kSession:
      return "/session";
    default:
      return "/";
  }
}

HttpClient::HttpClient(const HttpTarget& target, uint64_t body_seed)
    : target_(target),
      body_seed_(body_seed),
      parser_(*this),
      jar_(host_of(target.host_header), http_path_text(target.path)) {
  uint32_t capacity = std::bit_ceil(static_cast<uint32_t>(std::max(1, target.pipeline)));
  tags_ = std::make_unique<uint32_t[]>(capacity);
  tag_mask_ = capacity - 1;
  body_.reserve(kMaxCollect);
  sid_.reserve(kMaxSid);
  failed_in_call_.reserve(capacity);  // responses per call <= requests in flight <= capacity
  reset(0);
}

void HttpClient::rebuild_requests() {
  std::string& r = scratch_;
  r.clear();
  r.append(target_.path == HttpPath::kEcho ? "POST " : "GET ");
  r.append(http_path_text(target_.path));
  r.append(" HTTP/1.1\r\nHost: ");
  r.append(target_.host_header);
  r.append("\r\n");
  if (!jar_.header().empty()) r.append("Cookie: ").append(jar_.header()).append("\r\n");
  if (target_.path == HttpPath::kEcho) {
    r.append("Content-Type: application/octet-stream\r\nContent-Length: ");
    r.append(std::to_string(target_.body_size));
    r.append("\r\n\r\n");
    body_offset_ = r.size();
    uint64_t state = body_seed_;
    r.resize(body_offset_ + target_.body_size);
    for (size_t i = body_offset_; i < r.size(); i += 8) {
      uint64_t v = splitmix64(state);
      for (size_t k = 0; k < 8 && i + k < r.size(); ++k) r[i + k] = static_cast<char>(v >> (8 * k));
    }
  } else {
    r.append("\r\n");
  }
  request_len_ = r.size();
  copies_ = std::clamp<size_t>(static_cast<size_t>(target_.pipeline), 1,
                               std::max<size_t>(1, kBatchBytes / request_len_));
  requests_.clear();
  requests_.reserve(request_len_ * copies_);
  for (size_t i = 0; i < copies_; ++i) requests_.append(r);
  built_generation_ = generation_;
  built_jar_version_ = jar_.version();
  rebuild_wanted_ = false;
}

void HttpClient::start_socket() {
  parser_.reset();
  sent_ = queued_ = 0;
  tag_head_ = tag_tail_ = 0;
  peer_closing_ = false;
  responses_on_socket_ = 0;
  error_.clear();
  rebuild_requests();
}

void HttpClient::reset(uint64_t incarnation) {
  (void)incarnation;
  jar_.clear();
  sid_.clear();
  visits_ = 0;
  ++generation_;
  start_socket();
}

void HttpClient::reconnect_after_error(uint64_t incarnation) {
  (void)incarnation;
  start_socket();  // same client: the jar, sid and visits carry over
}

void HttpClient::reconnect(uint64_t incarnation) {
  (void)incarnation;
  ++counters_.server_closes;
  start_socket();
}

void HttpClient::add_request() {
  // A cookie that reached its expiry leaves the jar (the clock is read only while some
  // cookie has an expiry).
  if (jar_.next_expiry_ms() != CookieJar::kNever && jar_.expire(wall_ms())) {
    rebuild_wanted_ = true;
  }
  // The buffer is rewritten (new cookie) only when no byte of it is queued or in the kernel.
  if (rebuild_wanted_ && sent_ == queued_) {
    sent_ = queued_ = 0;
    rebuild_requests();
  }
  tags_[tag_tail_++ & tag_mask_] = built_generation_;
  queued_ += request_len_;
}

std::span<const char> HttpClient::output() const {
  if (peer_closing_ || sent_ >= queued_) return {};
  size_t pos = static_cast<size_t>(sent_ % request_len_);
  size_t len =
      static_cast<size_t>(std::min<uint64_t>(queued_ - sent_, copies_ * request_len_ - pos));
  return {requests_.data() + pos, len};
}

int64_t HttpClient::on_input(const char* data, size_t n) {
  completed_in_call_ = 0;
  failed_in_call_.clear();
  if (!parser_.feed(data, n)) {
    if (error_.empty()) {
      error_ = "request index " + std::to_string(responses_on_socket_) + ": " + parser_.error();
    }
    return -1;
  }
  return completed_in_call_;
}

bool HttpClient::fail(const std::string& what) {
  error_ = "request index " + std::to_string(responses_on_socket_) + " (" +
           http_path_text(target_.path) + "): " + what;
  return false;
}

bool HttpClient::on_response_head(const ResponseHead& head) {
  if (tag_head_ == tag_tail_) return fail("a response arrived for no request");
  if (head.status == 101) return fail("unexpected 101 Switching Protocols");
  interim_ = head.status >= 100 && head.status <= 199;
  if (interim_) {
    // 100 Continue, 103 Early Hints: the final response to the same request follows.
    ++counters_.interim_1xx;
    checking_body_ = false;
    return true;
  }
  status_ = head.status;
  keep_alive_ = head.keep_alive;
  body_seen_ = 0;
  body_.clear();
  set_cookies_ = head.set_cookies;
  sets_sid_ = std::any_of(set_cookies_.begin(), set_cookies_.end(),
                          [](std::string_view c) { return cookie_name(c) == "sid"; });
  checking_body_ = false;
  failed_ = status_ < 200 || status_ > 299;
  if (failed_) {
    ++counters_.non_2xx;
    return true;
  }
  if (status_ != 200) return fail("expected status 200, got " + std::to_string(status_));
  if (head.content_length == HttpResponseParser::kNoContentLength) {
    return fail("expected a Content-Length, got none");
  }
  if (target_.path == HttpPath::kEcho) {
    if (head.content_length != target_.body_size) {
      return fail("expected Content-Length " + std::to_string(target_.body_size) + ", got " +
                  std::to_string(head.content_length));
    }
  } else if (head.content_length > kMaxCollect) {
    return fail("expected a short body, got Content-Length " + std::to_string(head.content_length));
  }
  checking_body_ = true;
  return true;
}

bool HttpClient::on_response_body(const char* data, size_t n) {
  if (!checking_body_) return true;
  if (target_.path == HttpPath::kEcho) {
    const char* expected = requests_.data() + body_offset_ + body_seen_;
    if (std::memcmp(data, expected, n) != 0) {
      size_t i = 0;
      while (data[i] == expected[i]) ++i;
      char buf[128];
      std::snprintf(buf, sizeof buf, "body byte %llu: expected 0x%02x, got 0x%02x",
                    static_cast<unsigned long long>(body_seen_ + i),
                    static_cast<unsigned>(static_cast<uint8_t>(expected[i])),
                    static_cast<unsigned>(static_cast<uint8_t>(data[i])));
      return fail(buf);
    }
  } else {
    body_.append(data, n);  // bounded by the Content-Length check: within the capacity
  }
  body_seen_ += n;
  return true;
}

bool HttpClient::on_response_end() {
  if (interim_) {
    interim_ = false;
    return true;
  }
  uint32_t tag = tags_[tag_head_++ & tag_mask_];
  if (!keep_alive_) peer_closing_ = true;
  // A /session response to a request sent before we adopted the current session belongs to a
  // session we do not follow: its cookies stay out of the jar.
  if (target_.path != HttpPath::kSession || tag == generation_) take_cookies();
  set_cookies_ = {};
  if (checking_body_) {
    switch (target_.path) {
      case HttpPath::kRoot:
        if (body_ != kHello) return fail("expected body 'Hello, World!', got " + printable(body_));
        break;
      case HttpPath::kHealthz:
        if (body_ != kOk) return fail("expected body 'ok', got " + printable(body_));
        break;
      case HttpPath::kEcho:
        break;  // compared as it came; its length is the Content-Length checked above
      case HttpPath::kSession:
        if (!check_session_body(tag)) return false;
        break;
    }
  }
  ++responses_on_socket_;
  ++completed_in_call_;
  failed_in_call_.push_back(failed_ ? 1 : 0);
  return true;
}

// The next request rebuilds the buffer (add_request) once none of the old one is queued.
void HttpClient::take_cookies() {
  if (set_cookies_.empty()) return;
  const int64_t now = wall_ms();
  for (std::string_view c : set_cookies_) jar_.apply(c, now);
  if (jar_.version() != built_jar_version_) rebuild_wanted_ = true;
}

void HttpClient::adopt_session(std::string_view sid, uint64_t visits) {
  sid_.assign(sid);
  visits_ = visits;
  ++generation_;
  rebuild_wanted_ = true;  // the requests from here on carry the new generation
}

bool HttpClient::check_session_body(uint32_t tag) {
  std::string_view body = body_;
  std::string_view sid;
  uint64_t visits = 0;
  if (body.empty() || body.front() != '{' || body.back() != '}' ||
      !json_string(body, "\"sid\":\"", &sid) || !json_uint(body, "\"visits\":", &visits) ||
      sid.empty() || sid.size() > kMaxSid) {
    return fail("expected session JSON with sid and visits, got " + printable(body));
  }
  const bool fresh = sets_sid_;
  if (tag != generation_) {
    // Sent (pipelined) before we adopted the current session: it carried an outdated cookie
    // or none, so the server may well have made it a session of its own.
    if (fresh) ++counters_.sessions_created;
    return true;
  }
  if (sid_.empty()) {
    if (!fresh) {
      return fail("a request without a cookie got session " + printable(sid) +
                  " without Set-Cookie");
    }
    if (visits != 1) {
      return fail("a new session must start at visits 1, got " + std::to_string(visits));
    }
    ++counters_.sessions_created;
    adopt_session(sid, visits);
    return true;
  }
  if (sid == sid_) {
    uint64_t expected = visits_ + 1;
    if (visits < expected) ++counters_.sessions_stale;
    if (visits > expected) ++counters_.sessions_skipped;
    visits_ = visits;
    return true;
  }
  if (fresh && visits == 1) {
    ++counters_.sessions_lost;
    ++counters_.sessions_created;
    adopt_session(sid, visits);
    return true;
  }
  return fail("we sent session " + printable(sid_) + " (visits " + std::to_string(visits_) +
              ") and got session " + printable(sid) + " at visits " + std::to_string(visits) +
              (fresh ? "" : " without Set-Cookie"));
}

}  // namespace iomb::harness
