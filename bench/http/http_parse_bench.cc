// Cost per request of the HTTP codec, single thread, no sockets:
//  - BM_ParseOnly: http_parser via RequestParser on a wrk-style GET / (parse cost alone);
//  - BM_ParseBrowserLike: the same with a browser-sized header block (~500 bytes);
//  - BM_CodecGetRoot: parse + answer + drain through HttpCodec (what a server pays per request
//    apart from its IO), with `pipeline` requests per input chunk.
#include <benchmark/benchmark.h>

#include <string>

#include "common/http/http_codec.h"
#include "common/http/memory_session_store.h"
#include "common/http/request_parser.h"

namespace {

using namespace iomb::http;

constexpr std::string_view kWrkGet = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
constexpr std::string_view kBrowserGet =
    "GET /session HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: theme=dark; sid=0123456789abcdef0123456789abcdef; lang=en\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-Site: none\r\n\r\n";

void parse_loop(benchmark::State& state, std::string_view request) {
  RequestParser parser(1 << 20);
  Request r;
  for (auto _ : state) {
    auto result = parser.parse(request, r);
    benchmark::DoNotOptimize(result);
    if (result.event != RequestParser::Event::kRequest) state.SkipWithError("parse failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(request.size()));
}

void BM_ParseOnly(benchmark::State& state) { parse_loop(state, kWrkGet); }
BENCHMARK(BM_ParseOnly);

void BM_ParseBrowserLike(benchmark::State& state) { parse_loop(state, kBrowserGet); }
BENCHMARK(BM_ParseBrowserLike);

void BM_CodecGetRoot(benchmark::State& state) {
  const int pipeline = static_cast<int>(state.range(0));
  HttpService service(HttpServiceOptions{.node_id = "bench"},
                      std::make_unique<MemorySessionStore>(MemorySessionStoreOptions{}), nullptr);
  HttpCodec codec(service);
  std::string chunk;
  for (int i = 0; i < pipeline; ++i) chunk.append(kWrkGet);
  size_t out_bytes = 0;
  for (auto _ : state) {
    codec.on_input(chunk);
    out_bytes += codec.pending_output();
    codec.consume_output(codec.pending_output());
  }
  if (codec.should_close()) state.SkipWithError("codec closed");
  state.SetItemsProcessed(state.iterations() * pipeline);
  state.counters["resp_bytes"] = benchmark::Counter(
      static_cast<double>(out_bytes) / static_cast<double>(state.iterations() * pipeline));
}
BENCHMARK(BM_CodecGetRoot)->Arg(1)->Arg(16);

}  // namespace

BENCHMARK_MAIN();
