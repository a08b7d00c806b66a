// HttpConnection: the HTTP state of one connection slot of a ring loop under --protocol http:
// the slot's HttpCodec, the output buffer the send in flight reads from (swapped out of the
// codec with take_output(), so the kernel reads bytes nobody touches until the send, and with
// send_zc its notification, completed), and the request-deadline and lingering-close
// bookkeeping. Kept apart from Connection (48 bytes, shared with echo). Objects are created
// when a slot is first used for HTTP and reused by the later connections of that slot (the
// output buffer keeps its capacity up to kKeptOutputBytes). Owned and used by one ring thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/http/http_codec.h"

namespace iomb::aio {

class RingLoop;

class HttpConnection final : public http::HttpCodec::Listener {
 public:
  HttpConnection(RingLoop& loop, uint32_t slot) : loop_(loop), slot_(slot) {}

  // A new connection in this slot.
  void open(const http::HttpService& service) {
    codec.emplace(service, http::HttpCodec::Dispatch::kInline, this);
    out.clear();
    out_sent = 0;
    zc_pending = 0;
    request_started_ms = 0;
    linger_started_ms = 0;
    discarded = 0;
    lingering = false;
  }
  // The slot is freed (nothing of it is in flight any more). A large output buffer (a 1 MiB
  // /echo) goes with its connection: kept, 5,000 slots would hold GiBs after their clients left.
  void release() {
    codec.reset();
    if (out.capacity() > kKeptOutputBytes) std::string().swap(out);
  }
  static constexpr size_t kKeptOutputBytes = 16 * 1024;

  // An asynchronous session store completed a visit: send what it produced.
  void on_codec_output(http::HttpCodec&) override;

  std::optional<http::HttpCodec> codec;
  std::string out;                  // bytes being sent; stable until sent (and zero-copy notified)
  size_t out_sent = 0;              // bytes of `out` already sent
  uint16_t zc_pending = 0;          // send_zc notifications still to come for `out`
  uint32_t request_started_ms = 0;  // when the request in progress began (slowloris deadline)
  uint32_t linger_started_ms = 0;
  uint64_t discarded = 0;  // input ignored after the closing response
  bool lingering = false;  // shutdown(SHUT_WR) sent; reading and discarding until EOF

 private:
  RingLoop& loop_;
  const uint32_t slot_;
};

}  // namespace iomb::aio
