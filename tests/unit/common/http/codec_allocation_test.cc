// The steady state of the HTTP codec allocates nothing (DESIGN §5): after a warm-up request,
// GET /, POST /echo, a continued /session and 16 pipelined GETs make no heap allocation. The
// global operator new of this test binary counts allocations made on the counting thread.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "common/http/http_codec.h"
#include "common/http/memory_session_store.h"

// The replacement below pairs malloc with free on purpose; GCC, seeing both inlined into the
// same function, cannot tell that they are the matching replacement pair.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
thread_local bool counting = false;
thread_local long allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
  if (counting) ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace iomb::http {
namespace {

long allocations_during(HttpCodec& codec, std::string_view input, int repeat) {
  allocations = 0;
  counting = true;
  for (int i = 0; i < repeat; ++i) {
    codec.on_input(input);
    codec.consume_output(codec.pending_output());
  }
  counting = false;
  return allocations;
}

TEST(CodecAllocation, SteadyStateAllocatesNothing) {
  MemorySessionStoreOptions so;
  so.node_id = "a-node-name-longer-than-sso";
  HttpService service(HttpServiceOptions{.node_id = so.node_id},
                      std::make_unique<MemorySessionStore>(so), nullptr);
  HttpCodec codec(service);
  // Create a session to continue.
  codec.on_input("GET /session HTTP/1.1\r\n\r\n");
  std::string out(codec.output());
  codec.consume_output(codec.pending_output());
  size_t at = out.find("Set-Cookie: sid=");
  ASSERT_NE(at, std::string::npos) << out;
  const std::string session =
      "GET /session HTTP/1.1\r\nCookie: sid=" + out.substr(at + 16, 32) + "\r\n\r\n";
  const std::string get = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
  const std::string echo = "POST /echo HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world";
  std::string pipelined_batch;
  for (int i = 0; i < 16; ++i) pipelined_batch += get;
  const std::string pipelined = pipelined_batch;

  for (const std::string* input : {&get, &echo, &session, &pipelined}) {
    allocations_during(codec, *input, 2);  // warm-up: buffers reach their size
    EXPECT_EQ(allocations_during(codec, *input, 1000), 0) << *input;
  }
  EXPECT_FALSE(codec.should_close());
  // The counter works: a new session allocates.
  EXPECT_GT(allocations_during(codec, "GET /session HTTP/1.1\r\n\r\n", 1), 0);
}

}  // namespace
}  // namespace iomb::http
