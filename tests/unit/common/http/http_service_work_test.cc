// HttpService's --work-us / --block-us: the per-request CPU burn and sleep, measured on the
// handling thread.
#include <gtest/gtest.h>
#include <time.h>

#include "common/http/http_codec.h"
#include "common/http/memory_session_store.h"

namespace iomb::http {
namespace {

int64_t thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1'000'000LL + ts.tv_nsec / 1000;
}

// --work-us burns at least that much CPU on the handling thread; --block-us sleeps at least
// that long. Both are lower bounds the implementation guarantees, not timing thresholds.
TEST(HttpServiceWork, WorkAndBlockPerRequest) {
  HttpServiceOptions o;
  o.node_id = "w";
  o.work_us = 3000;
  HttpService busy(o, std::make_unique<MemorySessionStore>(MemorySessionStoreOptions{}), nullptr);
  HttpCodec codec(busy);
  int64_t cpu0 = thread_cpu_us();
  codec.on_input("GET / HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_GE(thread_cpu_us() - cpu0, 6000);
  EXPECT_EQ(codec.take_responses(), 2u);

  o.work_us = 0;
  o.block_us = 20000;
  HttpService blocking(o, std::make_unique<MemorySessionStore>(MemorySessionStoreOptions{}),
                       nullptr);
  HttpCodec codec2(blocking);
  auto t0 = std::chrono::steady_clock::now();
  cpu0 = thread_cpu_us();
  codec2.on_input("GET / HTTP/1.1\r\n\r\n");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::microseconds(20000));
  EXPECT_EQ(codec2.take_responses(), 1u);
  // Errors and 404s do no work.
  o.work_us = 1'000'000;
  o.block_us = 0;
  HttpService slow(o, std::make_unique<MemorySessionStore>(MemorySessionStoreOptions{}), nullptr);
  HttpCodec codec3(slow);
  cpu0 = thread_cpu_us();
  codec3.on_input("GET /nope HTTP/1.1\r\n\r\n");
  EXPECT_LT(thread_cpu_us() - cpu0, 1'000'000);
}

}  // namespace
}  // namespace iomb::http
