// Fuzz target: the server's HTTP request codec (common/http/http_codec.h) over the memory and
// the signed-cookie session stores, inline and deferred dispatch, with the input split at
// pseudo-random points and pipelined as it comes. Whatever arrives, the codec must not crash or
// trip a sanitizer. Its output is taken as a server sends it, and feeding stops, as a server's
// reading does, once the codec closes or wants no more input.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/http/cookie_session_store.h"
#include "common/http/http_codec.h"
#include "common/http/memory_session_store.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using namespace iomb::http;

std::unique_ptr<HttpService> make_service(bool cookie_store) {
  std::unique_ptr<SessionStore> store;
  if (cookie_store) {
    CookieSessionStoreOptions o;
    o.node_id = "fuzz";
    o.keys = parse_cookie_keys("fuzz-secret-key-000001\nfuzz-secret-key-000002\n");
    o.now_ms = [] { return iomb::fuzz::kSeedTimeMs; };
    store = std::make_unique<CookieSessionStore>(o);
  } else {
    MemorySessionStoreOptions o;
    o.node_id = "fuzz";
    o.max_sessions = 64;
    o.now_ms = [] { return int64_t{1'000'000}; };
    store = std::make_unique<MemorySessionStore>(o);
  }
  HttpServiceOptions ho;
  ho.node_id = "fuzz";
  ho.max_body = 64 * 1024;
  return std::make_unique<HttpService>(ho, std::move(store),
                                       [] { return iomb::CounterSnapshot{}; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<HttpService> memory = make_service(false);
  static const std::unique_ptr<HttpService> cookie = make_service(true);
  iomb::fuzz::FuzzInput in(data, size);
  const uint8_t mode = in.take_byte();
  const uint32_t seed = in.take_byte() | (in.take_byte() << 8);
  const HttpService& service = (mode & 1) ? *cookie : *memory;
  const auto dispatch = (mode & 2) ? HttpCodec::Dispatch::kDeferred : HttpCodec::Dispatch::kInline;
  HttpCodec codec(service, dispatch);
  iomb::fuzz::FuzzInput::in_pieces(in.rest(), seed, 64, [&](std::string_view piece) {
    // A server stops reading a connection that is closing or whose stash is full.
    if (codec.should_close() || !codec.want_read()) return;
    codec.on_input(piece);
    if (dispatch == HttpCodec::Dispatch::kDeferred) {
      while (codec.take_ready_request()) {
        codec.handle_request();
        codec.finish_request();
      }
    }
    codec.consume_output(codec.pending_output());
  });
  return 0;
}
