// HTTP backpressure cases, run against every buffered server row (HttpBufferedServerTest): a
// client pipelines requests whose responses far exceed --max-pending-bytes and does not read
// at first. The server pauses reading instead of buffering every response (counted where the
// case forces its own buffer to fill), resumes as the client drains, and answers every request
// once, in order, with nothing after the last one.
#include <signal.h>
#include <sys/socket.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/integration/http_suite.h"
#include "tests/integration/http_test_client.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

struct Pipeline {
  std::string bytes;                // every request, back to back
  std::vector<std::string> bodies;  // the body each response must carry, in order
};

std::string post_echo(const std::string& body) {
  return "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

// Sends `pipeline` from a thread while this one waits, then reads every response (a small
// `rcvbuf` keeps the kernel from absorbing the output on the client side). Checks the order
// and the request count from the stopped line, and with `stalls` that reading was paused.
void expect_paused_then_answered(ServerProcess& server, const Pipeline& pipeline, bool stalls,
                                 int rcvbuf = 0) {
  auto fd = connect_loopback(server.port());
  if (rcvbuf > 0) ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  size_t sent = 0;
  std::thread writer([&] { sent = send_all(fd.get(), pipeline.bytes, 20s); });
  std::this_thread::sleep_for(300ms);  // let the output pile up and the server pause
  // In batches, each with its own timeout: a slow row is not cut off as a whole.
  const size_t n = pipeline.bodies.size();
  std::string buffer;
  std::vector<HttpResponse> responses;
  while (responses.size() < n) {
    auto batch =
        read_responses(fd.get(), std::min<size_t>(100, n - responses.size()), &buffer, 10s);
    if (batch.empty()) break;
    responses.insert(responses.end(), batch.begin(), batch.end());
  }
  writer.join();
  EXPECT_EQ(sent, pipeline.bytes.size());
  ASSERT_EQ(responses.size(), n);
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(responses[i].status, 200) << i;
    EXPECT_TRUE(responses[i].body == pipeline.bodies[i]) << "response " << i << " differs";
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_EQ(buffer, "") << "bytes after the last response";
  fd.reset();
  auto stopped = server.stop(SIGTERM);
  if (stalls) {
    EXPECT_GE(stopped.value("backpressure_stalls", 0), 1);
  }
  EXPECT_EQ(stopped.value("requests", uint64_t{0}), n);
}

// 8 MiB of /echo responses is more than the kernel buffers between the two (the server's send
// buffer grows to tcp_wmem's 4 MiB at most; the client's receive buffer does not grow while it
// does not read), so the server's own output buffer must fill.
TEST_P(HttpBufferedServerTest, PipelinerThatDoesNotReadIsPaused) {
  IOMB_HTTP_START(server, {"--max-pending-bytes", "65536"});
  Pipeline p;
  for (uint64_t i = 0; i < 128; ++i) {
    p.bodies.push_back(random_bytes(64 * 1024, i));
    p.bytes += post_echo(p.bodies.back());
  }
  expect_paused_then_answered(*server, p, /*stalls=*/true);
}

// Thousands of small responses into a 4 KiB client receive buffer. Only aio must pause here:
// its pending bytes include sends still in flight in the ring, which stay there while the
// client does not read; nio and asio hand their output to the socket's send buffer, which
// grows to hold all of it, so their own buffer may never reach the limit.
TEST_P(HttpBufferedServerTest, BackpressureOnPipelinedRequests) {
  IOMB_HTTP_START(server, {"--max-pending-bytes", "16KiB"});
  Pipeline p;
  for (int i = 0; i < 4000; ++i) {
    p.bytes += get_request(i % 2 ? "/" : "/healthz");
    p.bodies.push_back(i % 2 ? "Hello, World!" : "ok");
  }
  expect_paused_then_answered(*server, p, /*stalls=*/GetParam().model == "aio", 4096);
}

// The smallest limit: every response alone exceeds it, so the server parses a slice of its
// input, writes, and resumes parsing the rest of what it already read.
TEST_P(HttpBufferedServerTest, PipelinedResponsesBeyondMaxPendingBytes) {
  IOMB_HTTP_START(server, {"--max-pending-bytes", "1"});
  Pipeline p;
  for (int i = 0; i < 200; ++i) {
    p.bodies.push_back(std::to_string(i));
    p.bytes += post_echo(p.bodies.back());
  }
  expect_paused_then_answered(*server, p, /*stalls=*/false);
}

}  // namespace
}  // namespace iomb::testing
