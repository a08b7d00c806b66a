// Implementation of http_handler.h. On the connection's chain.
#include "asio/http_handler.h"

#include <algorithm>
#include <string_view>

namespace iomb::asio {

HttpHandler::HttpHandler(const http::HttpService& service, size_t max_pending_bytes)
    : codec_(service, http::HttpCodec::Dispatch::kInline, this),
      max_pending_bytes_(max_pending_bytes) {}

ProtocolOutput HttpHandler::on_input(std::span<char> input) noexcept {
  input_ = input;
  return feed();
}

ProtocolOutput HttpHandler::feed() noexcept {
  while (!input_.empty() && !codec_.should_close() &&
         codec_.pending_output() < max_pending_bytes_) {
    const size_t n = std::min(input_.size(), kSliceBytes);
    codec_.on_input(std::string_view(input_.data(), n));
    input_ = input_.subspan(n);
  }
  if (codec_.should_close()) input_ = {};  // the codec ignores anything after a closing request
  ProtocolOutput out;
  out.requests = codec_.take_responses();
  if (codec_.pending_output() > 0) {
    codec_.take_output(write_buffer_);
    out.bytes = std::span<const char>(write_buffer_.data(), write_buffer_.size());
  }
  out.close_after = codec_.should_close();
  out.wait = out.bytes.empty() && !out.close_after && codec_.busy();
  return out;
}

void HttpHandler::on_codec_output(http::HttpCodec& /*codec*/) {
  if (host_ != nullptr) host_->on_protocol_output();
}

}  // namespace iomb::asio
