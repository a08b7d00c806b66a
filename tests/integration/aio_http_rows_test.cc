// iomb-aio rows of the HTTP suite (default, --threads 2, --fixed-files, --zerocopy-send,
// --sqpoll; skipped with the reason when io_uring is unavailable; also its buffered rows), and
// the aio-only HTTP case: the bound of the lingering close.
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

const auto kAioRows = ::testing::Values(
    ServerRow{"aio", "rings", {}}, ServerRow{"aio", "rings", {"--threads", "2"}},
    ServerRow{"aio", "rings", {"--fixed-files"}}, ServerRow{"aio", "rings", {"--zerocopy-send"}},
    ServerRow{"aio", "rings", {"--sqpoll"}});

INSTANTIATE_TEST_SUITE_P(Aio, HttpServerTest, kAioRows, row_name);
INSTANTIATE_TEST_SUITE_P(Aio, HttpBufferedServerTest, kAioRows, row_name);

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

}  // namespace
}  // namespace iomb::testing
