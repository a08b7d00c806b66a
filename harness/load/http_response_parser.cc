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
  cookie_.reserve(kMaxSetCookie);
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
  s->have_cookie_ = false;
  s->capturing_cookie_ = false;
  s->cookie_.clear();
  return 0;
}

int HttpResponseParser::on_header_field(http_parser* p, const char* at, size_t len) {
  HttpResponseParser* s = self(p);
  if (s->last_was_value_ || !s->field_started_) {  // a new header name begins
    if (s->capturing_cookie_) s->have_cookie_ = true;
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
  if (!s->last_was_value_) {
    s->last_was_value_ = true;
    s->capturing_cookie_ =
        s->field_is_set_cookie_ && s->field_matched_ == kSetCookie.size() && !s->have_cookie_;
  }
  if (!s->capturing_cookie_) return 0;
  if (s->cookie_.size() + len > kMaxSetCookie) {
    s->error_ = "Set-Cookie header longer than " + std::to_string(kMaxSetCookie) + " bytes";
    return 1;
  }
  s->cookie_.append(at, len);
  return 0;
}

int HttpResponseParser::on_headers_complete(http_parser* p) {
  HttpResponseParser* s = self(p);
  if (s->capturing_cookie_) s->have_cookie_ = true;
  s->capturing_cookie_ = false;
  ResponseHead head;
  head.status = static_cast<int>(p->status_code);
  head.content_length = (p->flags & F_CONTENTLENGTH) ? p->content_length : kNoContentLength;
  head.keep_alive = http_should_keep_alive(p) != 0;
  if (s->have_cookie_) {
    std::string_view v = s->cookie_;
    size_t semi = v.find(';');
    if (semi != std::string_view::npos) v = v.substr(0, semi);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    head.set_cookie = v;
  }
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
