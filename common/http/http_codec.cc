// Implementation of http_codec.h.
#include "common/http/http_codec.h"

#include <new>

namespace iomb::http {
namespace {

// Sent output is dropped from the front of the buffer once it is this large (and the larger
// part of it), so a connection that keeps some output pending does not grow without bound.
constexpr size_t kCompactOutputBytes = 64 * 1024;

}  // namespace

HttpCodec::HttpCodec(const HttpService& service, Dispatch dispatch, Listener* listener)
    : service_(service),
      dispatch_(dispatch),
      listener_(listener),
      parser_(service.options().max_body) {}

void HttpCodec::on_input(std::string_view data) {
  if (state_ == State::kClosed || data.empty()) return;
  try {
    accept_input(data);
  } catch (const std::bad_alloc&) {
    shed_for_memory();
  }
}

void HttpCodec::shed_for_memory() noexcept {
  // Swapping with empty strings frees without allocating (clear() would keep the capacity).
  std::string().swap(request_.body);
  std::string().swap(stash_);
  stash_pos_ = 0;
  std::string().swap(response_);
  stream_.reset();
  in_handle_ = false;
  state_ = State::kClosed;
  try {
    HttpService::append_error_response(503, out_);
    ++responses_;
  } catch (const std::bad_alloc&) {
    // Not even that fits: the connection closes without an answer.
  }
}

void HttpCodec::accept_input(std::string_view data) {
  if (state_ == State::kStream) {
    stream_input(data);
    return;
  }
  if (state_ != State::kParsing || stashed() > 0) {
    stash_.append(data);
    pump_stash();
    return;
  }
  size_t used = process(data);
  if (used < data.size() && state_ != State::kClosed) stash_.append(data.substr(used));
}

void HttpCodec::consume_output(size_t n) {
  out_pos_ += n;
  if (out_pos_ >= out_.size()) {
    out_.clear();
    out_pos_ = 0;
  } else if (out_pos_ >= kCompactOutputBytes && out_pos_ * 2 >= out_.size()) {
    out_.erase(0, out_pos_);
    out_pos_ = 0;
  }
}

void HttpCodec::take_output(std::string& into) {
  into.clear();
  if (out_pos_ > 0) {
    out_.erase(0, out_pos_);
    out_pos_ = 0;
  }
  out_.swap(into);
}

size_t HttpCodec::process(std::string_view data) {
  size_t used = 0;
  while (state_ == State::kParsing && used < data.size()) {
    RequestParser::Result r = parser_.parse(data.substr(used), request_);
    used += r.consumed;
    if (parser_.take_continue()) out_.append("HTTP/1.1 100 Continue\r\n\r\n");
    if (r.event == RequestParser::Event::kNeedMore) break;
    if (r.event == RequestParser::Event::kError) {
      HttpService::append_error_response(parser_.error_status(), out_);
      ++responses_;
      state_ = State::kClosed;
      break;
    }
    visit_done_ = false;
    if (request_.upgrade_replication && start_stream()) {
      stream_input(data.substr(used));
      used = data.size();
      break;
    }
    if (dispatch_ == Dispatch::kDeferred) {
      state_ = State::kReady;
      break;
    }
    state_ = State::kHandling;
    in_handle_ = true;
    const size_t before = out_.size();
    HttpService::Outcome outcome;
    try {
      outcome = service_.handle(request_, out_, *this);
    } catch (const std::bad_alloc&) {
      out_.resize(before);  // drops a half-written response (shrinking never allocates)
      throw;
    }
    in_handle_ = false;
    // Pending and not yet visited: an asynchronous store answers later (on_visit).
    if (outcome == HttpService::Outcome::kDone || visit_done_) complete_response();
  }
  return used;
}

void HttpCodec::pump_stash() {
  while (state_ == State::kParsing && stashed() > 0) {
    size_t used = process(std::string_view(stash_).substr(stash_pos_));
    if (used == 0) break;
    stash_pos_ += used;
  }
  if (stashed() == 0 || state_ == State::kClosed) {
    stash_.clear();
    stash_pos_ = 0;
  } else if (stash_pos_ >= kMaxStashBytes) {
    stash_.erase(0, stash_pos_);
    stash_pos_ = 0;
  }
}

bool HttpCodec::start_stream() {
  stream_ = service_.open_stream(request_);
  if (!stream_) return false;
  out_.append(
      "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: iomb-replication\r\n"
      "\r\n");
  ++responses_;
  state_ = State::kStream;
  return true;
}

void HttpCodec::stream_input(std::string_view data) {
  if (data.empty()) return;
  if (!stream_->on_input(data, out_)) {
    state_ = State::kClosed;
    stream_.reset();
  }
}

void HttpCodec::complete_response() {
  ++responses_;
  state_ = request_.keep_alive ? State::kParsing : State::kClosed;
}

void HttpCodec::on_visit(const VisitResult& result) {
  if (dispatch_ == Dispatch::kInline && !in_handle_) {
    // An asynchronous store answered: nobody above this call can handle an allocation failure.
    try {
      service_.append_session_response(request_, result, out_);
      visit_done_ = true;
      complete_response();
      pump_stash();
    } catch (const std::bad_alloc&) {
      shed_for_memory();
    }
    if (listener_ != nullptr) listener_->on_codec_output(*this);
    return;
  }
  // Inside handle(): a failure goes back through it to on_input() or handle_request().
  service_.append_session_response(request_, result,
                                   dispatch_ == Dispatch::kInline ? out_ : response_);
  visit_done_ = true;
  if (dispatch_ == Dispatch::kInline) return;  // synchronous store: process() completes it
  // kDeferred: synchronous visits run on the worker (handler_returned_ is still false);
  // asynchronous ones on the IO thread, before or after finish_request().
  if (handler_returned_) {
    try {
      finish_deferred();
    } catch (const std::bad_alloc&) {
      shed_for_memory();
    }
    if (listener_ != nullptr) listener_->on_codec_output(*this);
  }
}

bool HttpCodec::take_ready_request() {
  if (state_ != State::kReady) return false;
  state_ = State::kHandling;
  handler_returned_ = false;
  visit_done_ = false;
  outcome_ = HttpService::Outcome::kPending;
  return true;
}

void HttpCodec::handle_request() {
  response_.clear();
  try {
    outcome_ = service_.handle(request_, response_, *this);
  } catch (const std::bad_alloc&) {
    handler_failed_ = true;  // finish_request() sheds the connection on the IO thread
    outcome_ = HttpService::Outcome::kDone;
  }
}

void HttpCodec::finish_request() {
  handler_returned_ = true;
  if (handler_failed_) {
    handler_failed_ = false;
    shed_for_memory();
    return;
  }
  if (outcome_ == HttpService::Outcome::kDone || visit_done_) {
    try {
      finish_deferred();
    } catch (const std::bad_alloc&) {
      shed_for_memory();
    }
  }
}

void HttpCodec::finish_deferred() {
  if (pending_output() == 0) {
    out_.clear();
    out_pos_ = 0;
    out_.swap(response_);  // both buffers keep their capacity
  } else {
    out_.append(response_);
    response_.clear();
  }
  complete_response();
  pump_stash();
}

}  // namespace iomb::http
