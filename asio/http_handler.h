// HttpHandler: --protocol http for one asio connection, a thin adapter from the connection's
// read/write chain to the shared HttpCodec (common/http, Dispatch::kInline: the handler, with
// --work-us and --block-us, runs on the io_context thread that completed the read; --block-us
// therefore stalls every connection of that io_context for its duration: in
// context-per-thread mode the whole loop, in shared mode one of its --threads threads).
//  - Output: each call hands the connection the codec's pending responses by take_output()
//    into write_buffer_ (a swap: no copy, and both buffers keep their capacity, so the steady
//    state allocates nothing); the bytes stay stable until the connection's write completed,
//    since the connection calls in here again only after that.
//  - Backpressure: the read is fed to the codec in slices of kSliceBytes; once the pending
//    output reaches --max-pending-bytes the rest of the read stays in the connection's buffer
//    (which is not reused meanwhile) until the output is sent. One slice produces at most ~20x
//    its size (pipelined GET /stats), so the output is bounded by the limit plus ~80 KiB.
//  - Closing responses (400/413/431/501, Connection: close, HTTP/1.0): close_after, and the
//    connection does a lingering close.
//  - An asynchronous session store (not the memory store, which answers inside visit()):
//    while the codec is busy() with nothing to send, `wait` parks the connection (no read, so
//    later pipelined input stays in the kernel); the codec's completion calls
//    on_codec_output(), which wakes the connection. Such a store must call back on the
//    connection's io_context; in shared mode that callback can race with a write completion
//    of the same connection (the chain has no strand), so an asynchronous store needs a
//    per-connection strand there first.
// Called only by its connection's chain (see protocol_handler.h).
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "asio/protocol_handler.h"
#include "common/http/http_codec.h"

namespace iomb::asio {

class HttpHandler final : public ProtocolHandler, private http::HttpCodec::Listener {
 public:
  static constexpr size_t kSliceBytes = 4096;

  HttpHandler(const http::HttpService& service, size_t max_pending_bytes);

  void attach(ProtocolHost& host) noexcept override { host_ = &host; }
  ProtocolOutput on_input(std::span<char> input) noexcept override;
  ProtocolOutput on_output_sent() noexcept override { return feed(); }
  bool mid_request() const noexcept override { return codec_.mid_request(); }

 private:
  void on_codec_output(http::HttpCodec& codec) override;
  // Feeds unparsed input until the output reaches the limit; returns what to do next.
  ProtocolOutput feed() noexcept;

  http::HttpCodec codec_;
  const size_t max_pending_bytes_;
  ProtocolHost* host_ = nullptr;
  std::span<const char> input_;  // the part of the last read not yet fed to the codec
  std::string write_buffer_;     // the bytes being sent; swapped with the codec's buffer
};

}  // namespace iomb::asio
