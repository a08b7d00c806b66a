// Implementation of request_parser.h.
#include "common/http/request_parser.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <mutex>

#include "common/http/cookie.h"

namespace iomb::http {
namespace {

RequestParser* self(http_parser* p) { return static_cast<RequestParser*>(p->data); }

// Case-insensitive comparison with a lowercase token.
bool equals_lower(const char* text, size_t len, std::string_view lower) {
  if (len != lower.size()) return false;
  for (size_t i = 0; i < len; ++i) {
    if ((text[i] | 0x20) != lower[i]) return false;
  }
  return true;
}

// http_parser's header limit is a process-wide setting (its default is 80 KiB).
void set_header_limit_once() {
  static std::once_flag once;
  std::call_once(once, [] { http_parser_set_max_header_size(kMaxHeaderBytes); });
}

}  // namespace

Route route_for_target(std::string_view target) {
  target = target.substr(0, target.find_first_of("?#"));
  if (target == "/") return Route::kRoot;
  if (target == "/echo") return Route::kEcho;
  if (target == "/session") return Route::kSession;
  if (target == "/healthz") return Route::kHealthz;
  if (target == "/stats") return Route::kStats;
  if (target == "/replication") return Route::kReplication;
  if (target == "/replication/snapshot") return Route::kReplicationSnapshot;
  return Route::kNotFound;
}

const http_parser_settings RequestParser::kSettings = {
    .on_message_begin = &RequestParser::on_message_begin,
    .on_url = &RequestParser::on_url,
    .on_status = nullptr,
    .on_header_field = &RequestParser::on_header_field,
    .on_header_value = &RequestParser::on_header_value,
    .on_headers_complete = &RequestParser::on_headers_complete,
    .on_body = &RequestParser::on_body,
    .on_message_complete = &RequestParser::on_message_complete,
    .on_chunk_header = nullptr,
    .on_chunk_complete = nullptr,
};

RequestParser::RequestParser(uint64_t max_body) : max_body_(max_body) {
  set_header_limit_once();
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
}

RequestParser::Result RequestParser::parse(std::string_view data, Request& request) {
  if (error_status_ != 0) return {0, Event::kError};
  if (data.empty()) return {0, Event::kNeedMore};
  request_ = &request;
  complete_ = false;
  size_t n = http_parser_execute(&parser_, &kSettings, data.data(), data.size());
  request_ = nullptr;
  http_errno err = HTTP_PARSER_ERRNO(&parser_);
  if (complete_ && (err == HPE_OK || err == HPE_PAUSED)) {
    // Paused in on_message_complete: `n` ends right after the request.
    if (err == HPE_PAUSED) http_parser_pause(&parser_, 0);
    // An Upgrade (or CONNECT) request ends the HTTP stream for http_parser; this server
    // speaks no other protocol, so it answers and closes.
    if (parser_.upgrade) request.keep_alive = false;
    return {n, Event::kRequest};
  }
  if (err != HPE_OK) {
    if (error_status_ == 0) error_status_ = err == HPE_HEADER_OVERFLOW ? 431 : 400;
    return {n, Event::kError};
  }
  // Bytes taken with no complete request are a request in progress, even the CR LF that
  // http_parser skips before a request line without starting a message: otherwise a client
  // sending blank lines would never meet the request deadline.
  if (n > 0) mid_request_ = true;
  return {n, Event::kNeedMore};
}

int RequestParser::on_message_begin(http_parser* p) {
  RequestParser* s = self(p);
  s->request_->clear();
  s->target_.clear();
  s->cookie_.clear();
  s->field_len_ = 0;
  s->in_value_ = false;
  s->value_is_cookie_ = false;
  s->value_is_expect_ = false;
  s->expect_len_ = 0;
  s->value_is_upgrade_ = false;
  s->upgrade_len_ = 0;
  s->keep_body_ = false;
  s->mid_request_ = true;
  return 0;
}

int RequestParser::on_url(http_parser* p, const char* at, size_t len) {
  self(p)->target_.append(at, len);  // bounded by kMaxHeaderBytes
  return 0;
}

int RequestParser::on_header_field(http_parser* p, const char* at, size_t len) {
  RequestParser* s = self(p);
  if (s->in_value_) {  // a new header starts
    s->in_value_ = false;
    s->field_len_ = 0;
  }
  if (s->field_len_ < sizeof s->field_) {
    std::memcpy(s->field_ + s->field_len_, at, std::min(len, sizeof s->field_ - s->field_len_));
  }
  s->field_len_ += len;
  return 0;
}

int RequestParser::on_header_value(http_parser* p, const char* at, size_t len) {
  RequestParser* s = self(p);
  if (!s->in_value_) {  // the first piece of this header's value
    s->in_value_ = true;
    s->value_is_cookie_ = equals_lower(s->field_, s->field_len_, "cookie");
    s->value_is_expect_ = equals_lower(s->field_, s->field_len_, "expect");
    s->value_is_upgrade_ = equals_lower(s->field_, s->field_len_, "upgrade");
    if (s->value_is_cookie_ && !s->cookie_.empty()) s->cookie_.append("; ");
  }
  if (s->value_is_cookie_) s->cookie_.append(at, len);  // bounded by kMaxHeaderBytes
  if (s->value_is_expect_) {
    if (s->expect_len_ < sizeof s->expect_) {
      std::memcpy(s->expect_ + s->expect_len_, at,
                  std::min(len, sizeof s->expect_ - s->expect_len_));
    }
    s->expect_len_ += len;
  }
  if (s->value_is_upgrade_) {
    if (s->upgrade_len_ < sizeof s->upgrade_) {
      std::memcpy(s->upgrade_ + s->upgrade_len_, at,
                  std::min(len, sizeof s->upgrade_ - s->upgrade_len_));
    }
    s->upgrade_len_ += len;
  }
  return 0;
}

int RequestParser::on_headers_complete(http_parser* p) {
  RequestParser* s = self(p);
  Request& r = *s->request_;
  if (p->flags & F_CHUNKED) {
    s->error_status_ = 501;
    return -1;  // any value but 0, 1, 2 makes http_parser stop with an error
  }
  // content_length is ULLONG_MAX when there is no Content-Length header.
  if (p->content_length != ULLONG_MAX && p->content_length > s->max_body_) {
    s->error_status_ = 413;
    return -1;
  }
  r.method = p->method == HTTP_GET    ? Method::kGet
             : p->method == HTTP_POST ? Method::kPost
                                      : Method::kOther;
  r.head = p->method == HTTP_HEAD;
  r.route = route_for_target(s->target_);
  r.http_minor = static_cast<uint8_t>(p->http_minor);
  if (p->http_major != 1) {
    s->error_status_ = 400;
    return -1;
  }
  std::string_view sid = find_cookie(s->cookie_, "sid");
  r.sid.assign(sid.data(), sid.size());
  std::string_view sess = find_cookie(s->cookie_, "sess");
  r.sess.assign(sess.data(), sess.size());
  // curl sends "Expect: 100-continue" before a body over 1 KiB and waits a second for it.
  s->continue_pending_ = p->content_length != ULLONG_MAX && p->content_length > 0 &&
                         p->http_minor >= 1 &&
                         equals_lower(s->expect_, s->expect_len_, "100-continue");
  // http_parser sets `upgrade` before this callback (Upgrade + Connection: upgrade).
  r.upgrade_replication =
      p->upgrade != 0 && equals_lower(s->upgrade_, s->upgrade_len_, "iomb-replication");
  // Not reserved from Content-Length: a client may announce a body and never send it.
  s->keep_body_ = r.method == Method::kPost && r.route == Route::kEcho;
  return 0;
}

int RequestParser::on_body(http_parser* p, const char* at, size_t len) {
  RequestParser* s = self(p);
  if (s->keep_body_) s->request_->body.append(at, len);  // bounded by --max-body
  return 0;
}

int RequestParser::on_message_complete(http_parser* p) {
  RequestParser* s = self(p);
  s->request_->keep_alive = http_should_keep_alive(p) != 0;
  s->mid_request_ = false;
  s->complete_ = true;
  // Stop right after this request: the next one is parsed once this one is answered.
  http_parser_pause(p, 1);
  return 0;
}

}  // namespace iomb::http
