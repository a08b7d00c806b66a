// iomb-nio rows of the HTTP suite (every mode, both triggers; also its buffered rows), and
// nio-only HTTP cases: the --block-us contrast between reactors and workers (as an order of
// responses), a pipelined burst with a partial tail that is not a slowloris, and EOF and reset
// while a worker still owes a response.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/http_suite.h"
#include "tests/integration/http_test_client.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

const auto kNioRows =
    ::testing::Values(ServerRow{"nio", "reactors", {"--trigger", "lt"}},
                      ServerRow{"nio", "reactors", {"--trigger", "et"}},
                      ServerRow{"nio", "reactors", {"--threads", "2", "--trigger", "lt"}},
                      ServerRow{"nio", "acceptor", {"--threads", "2", "--trigger", "et"}},
                      ServerRow{"nio", "workers", {"--trigger", "lt"}},
                      ServerRow{"nio", "workers", {"--threads", "2", "--trigger", "et"}});

INSTANTIATE_TEST_SUITE_P(Nio, HttpServerTest, kNioRows, row_name);
INSTANTIATE_TEST_SUITE_P(Nio, HttpBufferedServerTest, kNioRows, row_name);

std::unique_ptr<ServerProcess> start_nio_http(std::vector<std::string> args) {
  args.insert(args.begin(), {"--protocol", "http"});
  return std::make_unique<ServerProcess>(binary_path("iomb-nio"), std::move(args));
}

// True when `fd` has bytes (or EOF) to read right now.
bool readable_now(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1;
}

// True when one of `pid`'s threads sits in nanosleep/clock_nanosleep (x86-64 numbers 35 and
// 230; /proc/PID/task/TID/syscall starts with the number of the syscall a thread blocks in).
bool a_thread_sleeps(pid_t pid) {
  std::error_code ec;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "syscall");
    long nr = -1;
    if (in >> nr && (nr == 35 || nr == 230)) return true;
  }
  return false;
}

// Waits (bounded) until the server sleeps in A's handler. Sending B only then is what orders
// the two: sent back to back, a level-triggered loop may be handed B first (epoll keeps B on
// its ready list from B's earlier request, ahead of A's new readiness).
void wait_until_handler_sleeps(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!a_thread_sleeps(pid) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(a_thread_sleeps(pid)) << "no server thread entered the --block-us sleep";
}

// The --block-us lesson as an order of events, not a duration. Connection A asks GET / (the
// handler sleeps 3 s); once the server sleeps in it, connection B asks for a missing page
// (404: no simulated work). With one reactor loop, the loop sleeps in A's handler, so when
// B's answer arrives A's has been sent already. In workers mode A sleeps on a worker and the
// loop answers B while A's response is still owed.
struct ContrastResult {
  bool b_answered = false;
  bool a_ready_when_b_answered = false;
  bool a_answered = false;
};

ContrastResult block_contrast(const std::string& mode) {
  ContrastResult result;
  auto server = start_nio_http({"--mode", mode, "--threads", "1", "--workers", "2", "--block-us",
                                "3000000", "--idle-timeout-ms", "0"});
  EXPECT_TRUE(server->started()) << server->stderr_text();
  if (!server->started()) return result;
  auto a = connect_loopback(server->port());
  auto b = connect_loopback(server->port());
  for (int fd : {a.get(), b.get()}) {
    auto r = roundtrip(fd, get_request("/missing"));
    EXPECT_TRUE(r && r->status == 404);
  }
  EXPECT_EQ(send_all(a.get(), get_request("/")), get_request("/").size());
  wait_until_handler_sleeps(server->pid());
  EXPECT_EQ(send_all(b.get(), get_request("/missing")), get_request("/missing").size());
  std::string buffer_b;
  auto rb = read_response(b.get(), &buffer_b, 10s);
  result.b_answered = rb && rb->status == 404;
  result.a_ready_when_b_answered = readable_now(a.get());
  std::string buffer_a;
  auto ra = read_response(a.get(), &buffer_a, 10s);
  result.a_answered = ra && ra->status == 200 && ra->body == "Hello, World!";
  return result;
}

TEST(NioHttp, BlockingHandlerStallsTheReactorLoop) {
  ContrastResult r = block_contrast("reactors");
  EXPECT_TRUE(r.b_answered);
  EXPECT_TRUE(r.a_answered);
  EXPECT_TRUE(r.a_ready_when_b_answered)
      << "B was answered before A's blocking handler returned: the loop did not stall";
}

TEST(NioHttp, BlockingHandlerDoesNotStallTheWorkersLoop) {
  ContrastResult r = block_contrast("workers");
  EXPECT_TRUE(r.b_answered);
  EXPECT_TRUE(r.a_answered);
  EXPECT_FALSE(r.a_ready_when_b_answered)
      << "B was answered only after A's blocking handler returned: the loop stalled";
}

// A pipelined burst of complete requests whose last one is always cut in half is progress,
// not a slowloris: the request deadline restarts whenever a request completes.
TEST(NioHttp, PipeliningClientWithPartialTailIsNotClosed) {
  auto server = start_nio_http({"--idle-timeout-ms", "400"});
  ASSERT_TRUE(server->started()) << server->stderr_text();
  auto fd = connect_loopback(server->port());
  const std::string req = get_request("/");
  const std::string half1 = req.substr(0, req.size() / 2);
  const std::string half2 = req.substr(req.size() / 2);
  std::string buffer;
  ASSERT_EQ(send_all(fd.get(), half1), half1.size());
  for (int i = 0; i < 12; ++i) {  // ~1.2 s, three times the deadline
    std::this_thread::sleep_for(100ms);
    std::string chunk = half2 + half1;  // completes one request, starts the next
    ASSERT_EQ(send_all(fd.get(), chunk), chunk.size()) << i;
    auto r = read_response(fd.get(), &buffer);
    ASSERT_TRUE(r) << "closed after " << i << " requests";
    EXPECT_EQ(r->status, 200);
  }
}

// The peer half-closes right after its request: the worker's response is still sent, then
// the connection closes.
TEST(NioHttp, EofWhileAWorkerOwesTheResponse) {
  auto server = start_nio_http({"--mode", "workers", "--block-us", "300000"});
  ASSERT_TRUE(server->started()) << server->stderr_text();
  auto fd = connect_loopback(server->port());
  const std::string reqs = get_request("/") + get_request("/healthz");
  ASSERT_EQ(send_all(fd.get(), reqs), reqs.size());
  ASSERT_EQ(::shutdown(fd.get(), SHUT_WR), 0);
  std::string buffer;
  auto rs = read_responses(fd.get(), 2, &buffer, 10s);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].body, "Hello, World!");
  EXPECT_EQ(rs[1].body, "ok");
  EXPECT_TRUE(wait_peer_closed(fd.get(), 5s));
}

// Connections reset while their request runs on a worker: the server must keep each
// connection (its codec is the worker's job) alive until the job is back, then free it.
TEST(NioHttp, ResetWhileAJobRuns) {
  auto server = start_nio_http(
      {"--mode", "workers", "--threads", "2", "--workers", "2", "--block-us", "200000"});
  ASSERT_TRUE(server->started()) << server->stderr_text();
  for (int i = 0; i < 6; ++i) {
    auto fd = connect_loopback(server->port());
    std::string req = i % 2 ? get_request("/session") : get_request("/");
    ASSERT_EQ(send_all(fd.get(), req), req.size());
    std::this_thread::sleep_for(20ms);  // usually on a worker by now; either way is valid
    linger lg{1, 0};                    // close() sends RST
    ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  std::this_thread::sleep_for(500ms);  // every job has come back
  auto fd = connect_loopback(server->port());
  auto r = roundtrip(fd.get(), get_request("/healthz"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok");
  fd.reset();
  auto stopped = server->stop(SIGTERM);
  EXPECT_EQ(server->exit_code(), 0) << server->stderr_text();
  EXPECT_EQ(stopped.value("accepted", 0), 7);
}

}  // namespace
}  // namespace iomb::testing
