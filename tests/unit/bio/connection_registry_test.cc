// Unit tests of bio/connection_registry.h: the set of open fds that shutdown wakes. A thread
// blocked in recv on a registered socket returns 0 once shutdown_all() runs, which is how
// bio's connection threads learn the server is stopping.
#include "bio/connection_registry.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <future>
#include <thread>

#include "common/unique_fd.h"

namespace iomb::bio {
namespace {

using namespace std::chrono_literals;

TEST(ConnectionRegistry, AddRemoveAndSize) {
  ConnectionRegistry registry;
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_TRUE(registry.add(10));
  EXPECT_TRUE(registry.add(11));
  EXPECT_TRUE(registry.add(10));  // a set: the same fd once
  EXPECT_EQ(registry.size(), 2u);
  registry.remove(10);
  registry.remove(99);  // not registered: no effect
  EXPECT_EQ(registry.size(), 1u);
}

TEST(ConnectionRegistry, RefusesAddsAfterShutdownAll) {
  ConnectionRegistry registry;
  registry.shutdown_all();
  EXPECT_FALSE(registry.add(3));
  EXPECT_EQ(registry.size(), 0u);
}

TEST(ConnectionRegistry, ShutdownAllWakesABlockedRecv) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  UniqueFd server(sv[0]);
  UniqueFd peer(sv[1]);
  ConnectionRegistry registry;
  ASSERT_TRUE(registry.add(server.get()));
  auto received = std::async(std::launch::async, [&] {
    char byte;
    return ::recv(server.get(), &byte, 1, 0);
  });
  // The recv is blocked: nothing was sent and the peer is open.
  EXPECT_EQ(received.wait_for(50ms), std::future_status::timeout);
  registry.shutdown_all();
  ASSERT_EQ(received.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(received.get(), 0);  // shutdown(2) ends a blocked recv as EOF
  // Still registered: its owner removes it before closing it.
  EXPECT_EQ(registry.size(), 1u);
  registry.remove(server.get());
  EXPECT_EQ(registry.size(), 0u);
}

}  // namespace
}  // namespace iomb::bio
