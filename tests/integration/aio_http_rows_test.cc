// iomb-aio rows of the HTTP suite (default, --threads 2, --fixed-files, --zerocopy-send,
// --sqpoll; skipped with the reason when io_uring is unavailable), and aio-only HTTP cases: the
// bound of the lingering close and backpressure on pipelined requests from
// a client that does not read.
#include <signal.h>
#include <sys/socket.h>

#include <cerrno>
#include <thread>

#include "tests/integration/http_suite.h"
#include "tests/integration/http_test_client.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

INSTANTIATE_TEST_SUITE_P(Aio, HttpServerTest,
                         ::testing::Values(ServerRow{"aio", "rings", {}},
                                           ServerRow{"aio", "rings", {"--threads", "2"}},
                                           ServerRow{"aio", "rings", {"--fixed-files"}},
                                           ServerRow{"aio", "rings", {"--zerocopy-send"}},
                                           ServerRow{"aio", "rings", {"--sqpoll"}}),
                         row_name);

// Starts iomb-aio --protocol http; skips the test when io_uring is unavailable here.
#define IOMB_AIO_HTTP_START(var, ...)                                 \
  ServerProcess var(binary_path("iomb-aio"), with_http(__VA_ARGS__)); \
  if (var.unavailable()) {                                            \
    GTEST_SKIP() << "io_uring unavailable: " << var.stderr_text();    \
  }                                                                   \
  ASSERT_TRUE(var.started()) << var.stderr_text()

std::vector<std::string> with_http(std::vector<std::string> args) {
  args.insert(args.begin(), {"--protocol", "http"});
  return args;
}

// A client that keeps sending after the closing response, never closing: the lingering close
// is bounded (2 s or 1 MiB) and the server closes it.
TEST(AioHttp, LingeringCloseIsBounded) {
  IOMB_AIO_HTTP_START(server, {"--idle-timeout-ms", "0"});
  auto fd = connect_loopback(server.port());
  std::string req = get_request("/", {}, "Connection: close\r\n");
  ASSERT_EQ(send_all(fd.get(), req), req.size());
  std::string buffer;
  auto r = read_response(fd.get(), &buffer);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // 40 KiB/s: the 1 MiB bound is far, so the time bound must end it. Once the server closed,
  // a send fails (EPIPE/ECONNRESET: the half-closed socket's peer is gone).
  const std::string chunk(4096, 'x');
  bool ended = false;
  for (int i = 0; i < 100 && !ended; ++i) {  // bounded: ~10 s, 400 KiB
    ssize_t n = ::send(fd.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      ended = true;
    } else {
      std::this_thread::sleep_for(100ms);
    }
  }
  EXPECT_TRUE(ended) << "the lingering close never ended";
  fd.reset();
  auto stopped = server.stop(SIGTERM);
  EXPECT_EQ(stopped.value("closed_by_server", 0), 1);
}

// Pipelined requests from a client that does not read: reading pauses at
// --max-pending-bytes and resumes as the client drains; every response arrives, in order.
TEST(AioHttp, BackpressureOnPipelinedRequests) {
  IOMB_AIO_HTTP_START(server, {"--max-pending-bytes", "16KiB"});
  auto fd = connect_loopback(server.port());
  int small = 4096;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  constexpr int kRequests = 4000;
  std::string pipeline;
  for (int i = 0; i < kRequests; ++i) pipeline += get_request(i % 2 ? "/" : "/healthz");
  std::thread writer([&] { send_all(fd.get(), pipeline, 10s); });
  std::this_thread::sleep_for(300ms);  // let the output pile up
  // Read in batches: read_responses() re-parses its buffer on every recv.
  std::string buffer;
  std::vector<HttpResponse> responses;
  while (responses.size() < static_cast<size_t>(kRequests)) {
    auto batch = read_responses(fd.get(), 100, &buffer, 5s);
    if (batch.empty()) break;
    responses.insert(responses.end(), batch.begin(), batch.end());
  }
  writer.join();
  ASSERT_EQ(responses.size(), static_cast<size_t>(kRequests));
  for (int i = 0; i < kRequests; ++i) {
    EXPECT_EQ(responses[i].body, i % 2 ? "Hello, World!" : "ok") << i;
    if (::testing::Test::HasFailure()) break;
  }
  fd.reset();
  auto stopped = server.stop(SIGTERM);
  EXPECT_GE(stopped.value("backpressure_stalls", 0), 1);
  EXPECT_EQ(stopped.value("requests", 0), kRequests);
}

}  // namespace
}  // namespace iomb::testing
