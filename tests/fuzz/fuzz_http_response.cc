// Fuzz target: the load generator's response side: HttpResponseParser and the HttpClient that
// checks responses (status, body, /session continuity, the cookie jar), fed arbitrary bytes
// split at pseudo-random points after requests were queued, as a hostile or broken server
// would answer. Whatever arrives, the client must not crash or trip a sanitizer; a wrong
// response makes it stop (on_input() < 0) with an error, as it does in a run.
#include <cstddef>
#include <cstdint>
#include <string>

#include "harness/load/http_client.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace iomb::harness;
  iomb::fuzz::FuzzInput in(data, size);
  const uint8_t mode = in.take_byte();
  const uint32_t seed = in.take_byte() | (in.take_byte() << 8);
  static const HttpPath kPaths[] = {HttpPath::kRoot, HttpPath::kHealthz, HttpPath::kEcho,
                                    HttpPath::kSession};
  HttpTarget target;
  target.host_header = "127.0.0.1:8080";
  target.path = kPaths[mode % 4];
  target.pipeline = 1 + (mode >> 2) % 8;
  target.body_size = 16;
  HttpClient client(target, 7);
  for (int i = 0; i < target.pipeline; ++i) client.add_request();
  client.consume_output(client.output().size());
  bool stopped = false;
  iomb::fuzz::FuzzInput::in_pieces(in.rest(), seed, 97, [&](std::string_view piece) {
    if (stopped) return;
    const int64_t done = client.on_input(piece.data(), piece.size());
    if (done < 0) {
      stopped = true;
      if (client.error().empty()) __builtin_trap();  // a failure must say why
      return;
    }
    for (int64_t i = 0; i < done; ++i) {
      (void)client.response_failed(i);
      client.add_request();  // keep requests in flight, as the load loop does
    }
    client.consume_output(client.output().size());
  });
  return 0;
}
