// BM_LoopbackRecvSend: the floor of a server's work per message (DESIGN §4.6). One thread holds
// both ends of `conns` loopback TCP connections; each iteration writes one `size`-byte message
// on every client end (not timed), then times the server phase: recv + send on every server
// end; then drains the echoes on the client ends (not timed). Loopback delivers a send into
// the peer's receive queue before send() returns, so the timed recv never waits for the wire:
// the result is the kernel's TCP cost of one recv and one send, per message.
#include <chrono>
#include <system_error>
#include <vector>

#include "bench/loopback_pairs.h"
#include "bench/per_item_counter.h"

namespace iomb::bench {
namespace {

void BM_LoopbackRecvSend(benchmark::State& state) {
  const int conns = static_cast<int>(state.range(0));
  const size_t size = static_cast<size_t>(state.range(1));
  std::vector<char> message(size, 'x');
  std::vector<char> buffer(size);
  const char* error = nullptr;
  try {
    LoopbackPairs pairs(conns);
    for (auto _ : state) {
      bool ok = true;
      for (int i = 0; i < conns && ok; ++i) ok = send_exact(pairs.client(i), message.data(), size);
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < conns && ok; ++i) {
        ok = recv_exact(pairs.server(i), buffer.data(), size) &&
             send_exact(pairs.server(i), buffer.data(), size);
      }
      const auto end = std::chrono::steady_clock::now();
      for (int i = 0; i < conns && ok; ++i) ok = recv_exact(pairs.client(i), buffer.data(), size);
      if (!ok) {
        error = "loopback recv/send failed";
        break;
      }
      state.SetIterationTime(std::chrono::duration<double>(end - start).count());
    }
  } catch (const std::system_error& e) {
    state.SkipWithError(e.what());
    return;
  }
  if (error != nullptr) {
    state.SkipWithError(error);
    return;
  }
  set_per_item_counters(state, conns, "msg");
  state.SetBytesProcessed(state.iterations() * conns * static_cast<int64_t>(size));
}

BENCHMARK(BM_LoopbackRecvSend)
    ->ArgNames({"conns", "size"})
    ->ArgsProduct({{1, 100}, {64, 4096}})
    ->UseManualTime();

}  // namespace
}  // namespace iomb::bench
