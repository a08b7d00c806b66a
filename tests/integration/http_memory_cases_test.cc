// HTTP memory case, run against every server row: what large requests and responses took is
// given back once their connections close (a server that keeps each connection slot's largest
// buffer holds GiBs after a burst of large uploads has gone).
#include <signal.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/http_suite.h"
#include "tests/integration/http_test_client.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

// 128 connections each POST /echo a 1 MiB body and stay open (the server has buffered the
// body and the response: about 2 MiB each, 256 MiB in all); then every one closes, and the
// server's RSS must come back to within 24 MiB of where it was before, plus the buffer pool a
// model keeps whatever the load (aio: each ring's provided buffers, touched once and reused,
// as its ready line states). A server that keeps each connection's largest buffer stays more
// than 128 MiB up.
// (A pool row serves as many connections at once as it has workers: that many.)
TEST_P(HttpServerTest, MemoryReturnsAfterLargeEchoesClose) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizers' allocators keep freed blocks (ASan's quarantine: 256 MiB) "
                  "and TSan's shadow grows with every touched byte: RSS cannot come back; the "
                  "release build runs this case";
#endif
  int connections = 128;
  const auto& args = GetParam().args;
  for (size_t i = 0; GetParam().pool_like && i + 1 < args.size(); ++i) {
    if (args[i] == "--threads") connections = std::min(connections, std::stoi(args[i + 1]));
  }
  constexpr size_t kBody = 1 << 20;
  IOMB_HTTP_START(server);
  {
    auto warm = connect_loopback(server->port());
    ASSERT_TRUE(roundtrip(warm.get(), get_request("/")));
  }
  const long base = server->rss_kib();
  const nlohmann::json& ready = server->ready();
  const long pool_kib = ready.value("threads", 1L) * ready.value("buffer_count", 0L) *
                        ready.value("buffer_size", 0L) / 1024;
  const long allowed = 24 * 1024 + pool_kib;
  std::string request =
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream"
      "\r\nContent-Length: " +
      std::to_string(kBody) + "\r\n\r\n";
  request += std::string(kBody, 'e');
  {
    std::vector<UniqueFd> fds;
    for (int i = 0; i < connections; ++i) {
      fds.push_back(connect_loopback(server->port()));
      auto r = roundtrip(fds.back().get(), request, 10s);
      ASSERT_TRUE(r) << "connection " << i;
      ASSERT_EQ(r->status, 200);
      ASSERT_EQ(r->body.size(), kBody);
    }
    const long peak = server->rss_kib();
    std::printf("RSS before %ld KiB, with %d connections after a 1 MiB echo each %ld KiB\n", base,
                connections, peak);
  }
  long now = 0;
  for (int i = 0; i < 100; ++i) {  // up to 2 s for the server to see every close
    now = server->rss_kib();
    if (now - base < allowed) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_LT(now - base, allowed) << "KiB of RSS kept after every connection closed (before " << base
                                 << " KiB, buffer pool " << pool_kib << " KiB)";
  server->stop(SIGTERM);
}

}  // namespace
}  // namespace iomb::testing
