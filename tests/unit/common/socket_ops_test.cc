#include "common/socket_ops.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <optional>
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

// Fills the descriptor table under a soft limit of 64 and gives it back on destruction.
class DescriptorsExhausted {
 public:
  DescriptorsExhausted() {
    getrlimit(RLIMIT_NOFILE, &old_);
    rlimit low = old_;
    low.rlim_cur = 64;
    setrlimit(RLIMIT_NOFILE, &low);
    for (int fd = ::dup(0); fd >= 0; fd = ::dup(0)) hog_.emplace_back(fd);
  }
  ~DescriptorsExhausted() {
    hog_.clear();
    setrlimit(RLIMIT_NOFILE, &old_);
  }
  void free_one() { hog_.pop_back(); }

 private:
  rlimit old_{};
  std::vector<UniqueFd> hog_;
};

bool sees_orderly_close(int fd) {
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  return ::recv(fd, &c, 1, 0) == 0;
}

// Two accepting loops share one reserve: a loop whose own spare is gone sheds with its
// sibling's, and a connection accepted while the reserve is short refills it instead of being
// kept (what a sibling's accept that took a freed descriptor does), so the reserve heals.
TEST(SocketOps, SpareDescriptorsAreOneSelfHealingReserve) {
  ListenConfig config;
  config.non_blocking = true;
  auto listener = listen_tcp(config);
  uint16_t port = local_port(listener.get());
  auto first = connect_tcp("127.0.0.1", port);
  auto second = connect_tcp("127.0.0.1", port);
  auto third = connect_tcp("127.0.0.1", port);
  SpareFd sibling;
  ASSERT_FALSE(SpareFd::reserve_short());
  {
    DescriptorsExhausted full;
    SpareFd lost;  // opened at the limit: its descriptor is missing from the reserve
    EXPECT_TRUE(SpareFd::reserve_short());
    EXPECT_TRUE(lost.armed()) << "the sibling's descriptor is still in the reserve";
    // The loop without a spare of its own sheds the first connection with the sibling's.
    EXPECT_TRUE(lost.shed_one(listener.get()));
    EXPECT_TRUE(sees_orderly_close(first.get()));
    // A descriptor frees: the next accept takes it and gives it to the reserve (the second
    // connection is shed), so the reserve is whole again.
    full.free_one();
    EXPECT_EQ(accept_connection(listener.get(), lost, SOCK_NONBLOCK), -EMFILE);
    EXPECT_TRUE(sees_orderly_close(second.get()));
    EXPECT_FALSE(SpareFd::reserve_short());
    // At the limit with a whole reserve: shed, and the reserve stays whole.
    EXPECT_EQ(accept_connection(listener.get(), lost, SOCK_NONBLOCK), -EMFILE);
    EXPECT_TRUE(sees_orderly_close(third.get()));
    EXPECT_FALSE(SpareFd::reserve_short());
    EXPECT_EQ(accept_connection(listener.get(), lost, SOCK_NONBLOCK), -EAGAIN);
  }
  // Descriptors back: connections are kept again.
  auto fourth = connect_tcp("127.0.0.1", port);
  int fd = -EAGAIN;
  for (int i = 0; i < 100 && fd == -EAGAIN; ++i) fd = accept_connection(listener.get(), sibling, 0);
  EXPECT_GE(fd, 0);
  if (fd >= 0) ::close(fd);
}

// Every reserve descriptor gone: shedding is impossible and armed() says so (the loops then
// pause their listeners); rearm() refills once descriptors free.
TEST(SocketOps, EmptyReserveIsNotArmedUntilDescriptorsFree) {
  std::optional<DescriptorsExhausted> full;
  full.emplace();
  SpareFd only;  // the only SpareFd alive, opened at the limit
  EXPECT_FALSE(only.armed());
  EXPECT_FALSE(only.rearm());
  full.reset();
  EXPECT_TRUE(only.rearm());
  EXPECT_FALSE(SpareFd::reserve_short());
}

}  // namespace
}  // namespace iomb
