// Proves DESIGN §5 "no per-request heap allocation in the steady state" for iomb-asio, echo
// and HTTP: runs AsioServer in this process (both modes, two threads, idle sweeps firing) and
// counts every operator new in the process across thousands of exchanges after a warm-up.
// This binary replaces the global operator new/delete with counting versions; the client side
// of the test uses raw send/recv on static buffers, so any allocation counted is the server's.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <thread>
#include <vector>

#include "asio/server.h"
#include "common/socket_ops.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

// The replacements pair operator new with malloc and operator delete with free; GCC's
// -Wmismatched-new-delete cannot see that once they are inlined into new/delete expressions.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  size_t a = static_cast<size_t>(align);
  if (void* p = std::aligned_alloc(a, (n + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace iomb::asio {
namespace {

constexpr size_t kSizes[] = {1, 64, 4096, 16384, 65536};
char g_out[65536];
char g_in[65536];

bool write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

bool read_exact(int fd, char* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::recv(fd, data, len, 0);  // SO_RCVTIMEO bounds it
    if (n <= 0) return false;
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

// One round: every connection echoes one message of the round's size; every fourth round
// each connection pipelines 16 small messages before reading the replies.
bool echo_round(const std::vector<UniqueFd>& fds, int round) {
  const size_t size = kSizes[round % std::size(kSizes)];
  for (const auto& fd : fds) {
    if (round % 4 == 3) {
      for (int i = 0; i < 16; ++i) {
        if (!write_all(fd.get(), g_out + i, 64)) return false;
      }
      if (!read_exact(fd.get(), g_in, 16 * 64)) return false;
      for (int i = 0; i < 16; ++i) {
        if (std::memcmp(g_in + i * 64, g_out + i, 64) != 0) return false;
      }
      continue;
    }
    if (!write_all(fd.get(), g_out, size) || !read_exact(fd.get(), g_in, size)) return false;
    if (std::memcmp(g_in, g_out, size) != 0) return false;
  }
  return true;
}

// The counter itself works (so the zero below means something).
TEST(AllocationCounter, CountsOperatorNew) {
  const uint64_t before = g_allocations.load();
  auto p = std::make_unique<int>(1);
  std::vector<char> v(100);
  EXPECT_EQ(g_allocations.load() - before, 2u);
  EXPECT_EQ(*p + v.size(), 101u);
}

class AsioAllocationTest : public ::testing::TestWithParam<const char*> {};

TEST_P(AsioAllocationTest, SteadyStateEchoMakesNoHeapAllocation) {
  for (size_t i = 0; i < sizeof g_out; ++i) g_out[i] = static_cast<char>(i * 131 + 7);
  ServerOptions options;
  options.mode = GetParam();
  options.threads = 2;
  options.idle_timeout_ms = 1000;  // a sweep every 250 ms runs during the measured window
  ListenConfig config;
  config.reuse_port = true;
  UniqueFd listener = listen_tcp(config);
  const uint16_t port = local_port(listener.get());
  AsioServer server(options, std::move(listener));
  std::thread runner([&server] { server.run(); });

  constexpr int kConnections = 8;
  std::vector<UniqueFd> fds;
  fds.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) {
    fds.push_back(connect_tcp("127.0.0.1", port));
    timeval tv{10, 0};
    ::setsockopt(fds.back().get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  // Warm-up: Asio creates per-descriptor state, timer-queue storage and its thread-local
  // recycling caches on first use; every size and pattern is exercised here first.
  bool ok = true;
  for (int round = 0; round < 40 && ok; ++round) ok = echo_round(fds, round);
  ASSERT_TRUE(ok) << "warm-up echo failed";

  const uint64_t before = g_allocations.load();
  constexpr int kRounds = 1500;
  for (int round = 0; round < kRounds && ok; ++round) ok = echo_round(fds, round);
  const uint64_t after = g_allocations.load();
  ASSERT_TRUE(ok) << "echo failed";
  EXPECT_EQ(after - before, 0u) << "heap allocations during " << kRounds * kConnections
                                << " echo exchanges";

  fds.clear();
  server.request_stop();
  runner.join();
  CounterSnapshot c = server.counters();
  EXPECT_EQ(c[Counter::kAccepted], static_cast<uint64_t>(kConnections));
  EXPECT_EQ(c[Counter::kBytesIn], c[Counter::kBytesOut]);
  EXPECT_GT(c[Counter::kBytesIn], 0u);
}

// HTTP: GET / one at a time, 16 pipelined GET / in one write, POST /echo with a 64-byte body.
// Each response's length is constant (the Date value has a fixed width), learnt in the
// warm-up, so the measured rounds read exact byte counts into static buffers.
constexpr char kGet[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
constexpr char kPost[] =
    "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 64\r\n\r\n"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
char g_pipelined[16 * (sizeof kGet - 1)];

// Sends `request` and reads one response whose body ends with `tail`; returns its length, or
// 0 on failure.
size_t learn_length(int fd, const char* request, size_t request_len, std::string_view tail) {
  if (!write_all(fd, request, request_len)) return 0;
  size_t got = 0;
  while (got < sizeof g_in) {
    ssize_t n = ::recv(fd, g_in + got, sizeof g_in - got, 0);
    if (n <= 0) return 0;
    got += static_cast<size_t>(n);
    if (std::string_view(g_in, got).ends_with(tail)) return got;
  }
  return 0;
}

TEST_P(AsioAllocationTest, SteadyStateHttpMakesNoHeapAllocation) {
  for (size_t i = 0; i < 16; ++i) {
    std::memcpy(g_pipelined + i * (sizeof kGet - 1), kGet, sizeof kGet - 1);
  }
  ServerOptions options;
  options.mode = GetParam();
  options.threads = 2;
  options.protocol = Protocol::kHttp;
  options.idle_timeout_ms = 1000;  // a sweep every 250 ms runs during the measured window
  ListenConfig config;
  config.reuse_port = true;
  UniqueFd listener = listen_tcp(config);
  const uint16_t port = local_port(listener.get());
  AsioServer server(options, std::move(listener));
  std::thread runner([&server] { server.run(); });

  constexpr int kConnections = 8;
  std::vector<UniqueFd> fds;
  fds.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) {
    fds.push_back(connect_tcp("127.0.0.1", port));
    timeval tv{10, 0};
    ::setsockopt(fds.back().get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  const size_t get_len = learn_length(fds[0].get(), kGet, sizeof kGet - 1, "Hello, World!");
  const size_t post_len = learn_length(fds[0].get(), kPost, sizeof kPost - 1, "cdef");
  ASSERT_GT(get_len, 0u);
  ASSERT_GT(post_len, 0u);
  ASSERT_LE(16 * get_len, sizeof g_in);
  auto round = [&](int r) {
    for (const auto& fd : fds) {
      bool ok = false;
      switch (r % 3) {
        case 0:
          ok = write_all(fd.get(), kGet, sizeof kGet - 1) && read_exact(fd.get(), g_in, get_len);
          break;
        case 1:
          ok = write_all(fd.get(), g_pipelined, sizeof g_pipelined) &&
               read_exact(fd.get(), g_in, 16 * get_len);
          break;
        default:
          ok = write_all(fd.get(), kPost, sizeof kPost - 1) && read_exact(fd.get(), g_in, post_len);
      }
      if (!ok) return false;
    }
    return true;
  };
  // Warm-up: the codec's buffers grow to their working size, Asio's per-descriptor state and
  // thread-local caches fill.
  constexpr int kWarmRounds = 60;
  bool ok = true;
  for (int r = 0; r < kWarmRounds && ok; ++r) ok = round(r);
  ASSERT_TRUE(ok) << "warm-up failed";

  const uint64_t before = g_allocations.load();
  constexpr int kRounds = 900;
  for (int r = 0; r < kRounds && ok; ++r) ok = round(r);
  const uint64_t after = g_allocations.load();
  ASSERT_TRUE(ok) << "exchange failed";
  EXPECT_EQ(after - before, 0u) << "heap allocations during " << kRounds * kConnections
                                << " HTTP exchanges";
  // The last response is intact (exact-length reads would hide a framing error otherwise).
  EXPECT_TRUE(std::string_view(g_in, post_len)
                  .ends_with(std::string_view(kPost).substr(sizeof kPost - 1 - 64)));

  fds.clear();
  server.request_stop();
  runner.join();
  // 2 learning requests; every 3 rounds 1 + 16 + 1 requests per connection.
  CounterSnapshot c = server.counters();
  EXPECT_EQ(c[Counter::kRequests],
            2u + static_cast<uint64_t>(kConnections) * (kWarmRounds + kRounds) / 3 * 18);
}

// Test names end in /0 (context-per-thread) and /1 (shared).
INSTANTIATE_TEST_SUITE_P(Modes, AsioAllocationTest,
                         ::testing::Values(AsioServer::kContextPerThread, AsioServer::kShared));

}  // namespace
}  // namespace iomb::asio
