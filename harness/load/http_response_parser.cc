// Implementation of http_response_parser.h.
#include "harness/load/http_response_parser.h"

#include <cctype>

namespace iomb::harness {
namespace {

constexpr std::string_view kSetCookie = "set-cookie";

HttpResponseParser* self(http_parser* p) { return static_cast<HttpResponseParser*>(p->data); }

}  // namespace

const http_parser_settings HttpResponseParser::kSettings = {
    .on_message_begin = &HttpResponseParser::on_message_begin,
    .on_url = nullptr,
    .on_status = nullptr,
    .on_header_field = &HttpResponseParser::on_header_field,
    .on_header_value = &HttpResponseParser::on_header_value,
    .on_headers_complete = &HttpResponseParser::on_headers_complete,
    .on_body = &HttpResponseParser::on_body,
    .on_message_complete = &HttpResponseParser::on_message_complete,
    .on_chunk_header = nullptr,
    .on_chunk_complete = nullptr,
};

HttpResponseParser::HttpResponseParser(Handler& handler) : handler_(handler) {
  cookies_.reserve(256);
  reset();
}

void HttpResponseParser::reset() {
  http_parser_init(&parser_, HTTP_RESPONSE);
  parser_.data = this;
  in_message_ = false;
  handler_refused_ = false;
  error_.clear();
}

bool HttpResponseParser::feed(const char* data, size_t n) {
  if (!error_.empty() || handler_refused_) return false;
  size_t used = http_parser_execute(&parser_, &kSettings, data, n);
  auto err = HTTP_PARSER_ERRNO(&parser_);
  if (handler_refused_) return false;
  if (err != HPE_OK) {
    if (!error_.empty()) return false;  // set by a callback (an oversized Set-Cookie)
    error_ = std::string("malformed response (") + http_errno_name(err) + ": " +
             http_errno_description(err) + ") at byte " + std::to_string(used) + " of a " +
             std::to_string(n) + "-byte read";
    return false;
  }
  return true;
}

int HttpResponseParser::on_message_begin(http_parser* p) {
  HttpResponseParser* s = self(p);
  s->in_message_ = true;
  s->field_matched_ = 0;
  s->field_is_set_cookie_ = false;
  s->field_started_ = false;
  s->last_was_value_ = false;
  s->capturing_cookie_ = false;
  s->cookies_.clear();
  s->cookie_count_ = 0;
  return 0;
}

int HttpResponseParser::on_header_field(http_parser* p, const char* at, size_t len) {
  HttpResponseParser* s = self(p);
  if (s->last_was_value_ || !s->field_started_) {  // a new header name begins
    s->capturing_cookie_ = false;
    s->last_was_value_ = false;
    s->field_started_ = true;
    s->field_matched_ = 0;
    s->field_is_set_cookie_ = true;
  }
  // http_parser may hand one name over in several pieces (split reads).
  for (size_t i = 0; i < len && s->field_is_set_cookie_; ++i) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(at[i])));
    if (s->field_matched_ >= kSetCookie.size() || c != kSetCookie[s->field_matched_]) {
      s->field_is_set_cookie_ = false;
    } else {
      ++s->field_matched_;
    }
  }
  return 0;
}

int HttpResponseParser::on_header_value(http_parser* p, const char* at, size_t len) {
  HttpResponseParser* s = self(p);
  if (!s->last_was_value_) {  // a header's value begins (it may come in pieces)
    s->last_was_value_ = true;
    s->capturing_cookie_ = s->field_is_set_cookie_ && s->field_matched_ == kSetCookie.size() &&
                           s->cookie_count_ < kMaxSetCookies;
    if (s->capturing_cookie_) s->cookie_starts_[s->cookie_count_++] = s->cookies_.size();
  }
  if (!s->capturing_cookie_) return 0;
  if (s->cookies_.size() + len > kMaxSetCookieBytes) {
    s->error_ = "Set-Cookie headers longer than " + std::to_string(kMaxSetCookieBytes) +
                " bytes in one response";
    return 1;
  }
  s->cookies_.append(at, len);
  return 0;
}

int HttpResponseParser::on_headers_complete(http_parser* p) {
  HttpResponseParser* s = self(p);
  s->capturing_cookie_ = false;
  ResponseHead head;
  head.status = static_cast<int>(p->status_code);
  head.content_length = (p->flags & F_CONTENTLENGTH) ? p->content_length : kNoContentLength;
  head.keep_alive = http_should_keep_alive(p) != 0;
  s->cookie_starts_[s->cookie_count_] = s->cookies_.size();
  for (size_t i = 0; i < s->cookie_count_; ++i) {
    s->cookie_views_[i] =
        std::string_view(s->cookies_)
            .substr(s->cookie_starts_[i], s->cookie_starts_[i + 1] - s->cookie_starts_[i]);
  }
  head.set_cookies = std::span<const std::string_view>(s->cookie_views_.data(), s->cookie_count_);
  if (!s->handler_.on_response_head(head)) {
    s->handler_refused_ = true;
    return -1;
  }
  return 0;
}

int HttpResponseParser::on_body(http_parser* p, const char* at, size_t len) {
  HttpResponseParser* s = self(p);
  if (!s->handler_.on_response_body(at, len)) {
    s->handler_refused_ = true;
    return -1;
  }
  return 0;
}

int HttpResponseParser::on_message_complete(http_parser* p) {
  HttpResponseParser* s = self(p);
  s->in_message_ = false;
  if (!s->handler_.on_response_end()) {
    s->handler_refused_ = true;
    return -1;
  }
  return 0;
}

}  // namespace iomb::harness
