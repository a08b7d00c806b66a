#include "common/socket_ops.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <system_error>
#include <vector>

namespace iomb {
namespace {

TEST(SocketOps, ListenOnEphemeralPortAndConnect) {
  ListenConfig config;
  auto listener = listen_tcp(config);
  uint16_t port = local_port(listener.get());
  EXPECT_GT(port, 0);
  auto client = connect_tcp("127.0.0.1", port);
  int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(fd, 0);
  UniqueFd server(fd);
  ASSERT_EQ(::send(client.get(), "hi", 2, 0), 2);
  char buf[2];
  ASSERT_EQ(::recv(server.get(), buf, 2, MSG_WAITALL), 2);
}

TEST(SocketOps, ReusePortAllowsTwoListenersOnOnePort) {
  ListenConfig config;
  config.reuse_port = true;
  auto a = listen_tcp(config);
  config.port = local_port(a.get());
  auto b = listen_tcp(config);
  EXPECT_EQ(local_port(b.get()), config.port);
}

TEST(SocketOps, BindConflictThrowsNamingTheCall) {
  ListenConfig config;
  auto a = listen_tcp(config);
  config.port = local_port(a.get());
  try {
    listen_tcp(config);
    FAIL() << "second bind without SO_REUSEPORT succeeded";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EADDRINUSE);
    EXPECT_NE(std::string(e.what()).find("bind"), std::string::npos);
  }
}

TEST(SocketOps, ResolveRejectsNames) {
  socklen_t len;
  EXPECT_THROW(resolve_address("example.com", 80, &len), std::invalid_argument);
  EXPECT_NO_THROW(resolve_address("::1", 80, &len));
  EXPECT_NO_THROW(resolve_address("localhost", 80, &len));
}

TEST(SocketOps, AcceptReturnsEagainWhenNothingPending) {
  ListenConfig config;
  config.non_blocking = true;
  auto listener = listen_tcp(config);
  SpareFd spare;
  EXPECT_EQ(accept_connection(listener.get(), spare, SOCK_NONBLOCK), -EAGAIN);
}

// Out of descriptors: the pending connection is shed (the client sees EOF), not left to hang.
TEST(SocketOps, AcceptShedsConnectionOnEmfile) {
  ListenConfig config;
  config.non_blocking = true;
  auto listener = listen_tcp(config);
  uint16_t port = local_port(listener.get());
  SpareFd spare;
  auto client = connect_tcp("127.0.0.1", port);
  rlimit old{};
  getrlimit(RLIMIT_NOFILE, &old);
  std::vector<UniqueFd> hog;
  // Fill the table up to a small soft limit.
  rlimit low = old;
  low.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  for (;;) {
    int fd = ::dup(0);
    if (fd < 0) break;
    hog.emplace_back(fd);
  }
  int rc = accept_connection(listener.get(), spare, SOCK_NONBLOCK);
  hog.clear();
  setrlimit(RLIMIT_NOFILE, &old);
  EXPECT_EQ(rc, -EMFILE);
  char c;
  EXPECT_EQ(::recv(client.get(), &c, 1, 0), 0) << "shed connection should see an orderly close";
  // Afterwards the spare is back: a new connection is accepted normally.
  auto again = connect_tcp("127.0.0.1", port);
  int fd = -EAGAIN;
  for (int i = 0; i < 100 && fd == -EAGAIN; ++i) fd = accept_connection(listener.get(), spare, 0);
  EXPECT_GE(fd, 0);
  if (fd >= 0) ::close(fd);
}

}  // namespace
}  // namespace iomb
