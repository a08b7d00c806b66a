// Allocation failure, run against every HTTP server row: with the server's address space capped
// (a soft RLIMIT_AS a little above what it maps now) a request too large to buffer makes an
// allocation fail (std::bad_alloc). Intended behaviour: only that connection is shed (a 503 if
// it can still be written, then close); the server neither dies nor stops accepting, and every
// other connection is served.
#include <signal.h>
#include <sys/resource.h>

#include <cerrno>
#include <string>
#include <thread>

#include "tests/integration/http_suite.h"
#include "tests/integration/http_test_client.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

using namespace std::chrono_literals;

// Sets `pid`'s soft RLIMIT_AS (the soft limit only: lowering and raising it back needs no
// privilege). Returns 0 or the errno.
int set_soft_as_limit(pid_t pid, rlim_t soft) {
  rlimit lim{};
  if (::prlimit(pid, RLIMIT_AS, nullptr, &lim) != 0) return errno;
  lim.rlim_cur = std::min(soft, lim.rlim_max);
  return ::prlimit(pid, RLIMIT_AS, &lim, nullptr) == 0 ? 0 : errno;
}

TEST_P(HttpServerTest, AllocationFailureShedsOnlyThatConnection) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ASan and TSan reserve terabytes of address space: no cap fits";
#endif
  // 96 MiB: more than a glibc thread arena's whole 64 MiB heap, so it must come from mmap,
  // which the cap refuses.
  constexpr size_t kBody = 96u << 20;
  IOMB_HTTP_START(server, {"--max-body", "128MiB"});
  auto keeper = connect_loopback(server->port());
  auto r = roundtrip(keeper.get(), get_request("/"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const long vm_kib = proc_status_value(server->pid(), "VmSize");
  ASSERT_GT(vm_kib, 0);
  // 16 MiB of room: new connections (a bio thread's stack included) fit, the big body does not.
  ASSERT_EQ(set_soft_as_limit(server->pid(), static_cast<rlim_t>(vm_kib + 16 * 1024) * 1024), 0);

  {
    auto big = connect_loopback(server->port());
    const std::string head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                             std::to_string(kBody) + "\r\n\r\n";
    ASSERT_EQ(send_all(big.get(), head), head.size());
    const std::string chunk(1 << 20, 'b');
    for (size_t sent = 0; sent < kBody;) {
      const size_t n = send_all(big.get(), chunk, 2s);
      if (n == 0) break;  // the server shed the connection (or stopped reading it)
      sent += n;
    }
    // The big request is answered with an error or the connection closed: never a 200.
    std::string buffer;
    auto answer = read_response(big.get(), &buffer, 5s);
    if (answer) {
      EXPECT_NE(answer->status, 200);
    }
    EXPECT_TRUE(wait_peer_closed(big.get(), 5s)) << "the oversized connection was not shed";
  }
  ASSERT_FALSE(server->wait_exit(100ms))
      << "the server died: exit " << server->exit_code() << "; " << server->stderr_text();
  // The connection it held is still served, and new ones are accepted and served.
  r = roundtrip(keeper.get(), get_request("/"), 3s);
  ASSERT_TRUE(r) << "the held connection is no longer served";
  EXPECT_EQ(r->status, 200);
  for (int i = 0; i < 5; ++i) {
    auto fresh = connect_loopback(server->port());
    auto f = roundtrip(fresh.get(), get_request("/healthz"), 3s);
    ASSERT_TRUE(f) << "new connection " << i << " not served: the accept path is dead";
    EXPECT_EQ(f->status, 200);
  }
  ASSERT_EQ(set_soft_as_limit(server->pid(), RLIM_INFINITY), 0);
  server->stop(SIGTERM);
  EXPECT_EQ(server->exit_code(), 0) << server->stderr_text();
}

}  // namespace
}  // namespace iomb::testing
