// Unit tests for asio/store_link.h: an AsioStoreIo link on a test io_context against a loopback
// peer, with a fake protocol: connect and greeting, bytes in order both ways (a large output
// too), the peer closing (on_disconnected, then a reconnect), a refused connect (backoff, not a
// spin), ticks, and a destroyed link calling nothing.
#include "asio/store_link.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>

#include "tests/unit/store_link_test_support.h"

namespace iomb::asio {
namespace {

using iomb::testing::FakeStoreProtocol;
using iomb::testing::LoopbackPeer;
using Clock = std::chrono::steady_clock;

class AsioStoreLinkTest : public ::testing::Test {
 protected:
  // Runs the context and polls the peer until `done` or `ms` passed; returns done().
  bool run_until(const std::function<bool()>& done, int ms = 3000) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
    while (Clock::now() < deadline) {
      context_.restart();
      context_.run_for(std::chrono::milliseconds(2));
      peer_.poll();
      if (done()) return true;
    }
    return done();
  }

  net::io_context context_;
  AsioStoreIo io_{context_, nullptr};
  LoopbackPeer peer_;
  FakeStoreProtocol protocol_;
};

TEST_F(AsioStoreLinkTest, ConnectsGreetsAndCarriesBytesInOrderBothWays) {
  auto link = io_.open_link(peer_.endpoint(), protocol_);
  EXPECT_FALSE(link->connected());
  ASSERT_TRUE(run_until([&] { return link->connected() && peer_.received.size() >= 5; }));
  EXPECT_EQ(protocol_.connected, 1);
  EXPECT_EQ(peer_.received, "HELLO");
  std::string big;
  for (int i = 0; big.size() < (4u << 20); ++i) big += std::to_string(i) + ",";
  protocol_.append("a");
  link->flush();
  protocol_.append(big);  // appended while a write is in flight: sent after it, in order
  link->flush();
  protocol_.append("z");
  link->flush();
  peer_.to_send = "reply-" + big;
  ASSERT_TRUE(run_until(
      [&] {
        return peer_.received.size() == 5 + 1 + big.size() + 1 &&
               protocol_.input.size() == peer_.to_send.size();
      },
      10000));
  EXPECT_TRUE(peer_.received == "HELLOa" + big + "z");
  EXPECT_TRUE(protocol_.input == peer_.to_send);
  EXPECT_EQ(protocol_.disconnected, 0);
}

TEST_F(AsioStoreLinkTest, PeerClosingDisconnectsThenReconnects) {
  auto link = io_.open_link(peer_.endpoint(), protocol_);
  ASSERT_TRUE(run_until([&] { return peer_.accepted == 1 && link->connected(); }));
  peer_.close_connection();
  ASSERT_TRUE(run_until([&] { return protocol_.disconnected == 1; }));
  ASSERT_TRUE(run_until([&] { return peer_.accepted == 2 && protocol_.connected == 2; }));
  EXPECT_TRUE(link->connected());
}

TEST_F(AsioStoreLinkTest, RefusedConnectBacksOffInsteadOfSpinning) {
  peer_.stop_listening();
  auto link = io_.open_link(peer_.endpoint(), protocol_);
  run_until([] { return false; }, 300);
  EXPECT_FALSE(link->connected());
  // 10, 20, 40, 80, 160 ms: a handful of attempts in 300 ms, each failing on_disconnected.
  EXPECT_GE(protocol_.disconnected, 2);
  EXPECT_LE(protocol_.disconnected, 8);
  EXPECT_EQ(protocol_.connected, 0);
}

TEST_F(AsioStoreLinkTest, TicksWhileTheLinkExists) {
  auto link = io_.open_link(peer_.endpoint(), protocol_);
  ASSERT_TRUE(run_until([&] { return protocol_.ticks >= 3; }));
  link.reset();
  const int ticks = protocol_.ticks;
  run_until([] { return false; }, 50);
  EXPECT_EQ(protocol_.ticks, ticks);
}

TEST_F(AsioStoreLinkTest, DestroyedLinkWithOperationsPendingCallsNothing) {
  auto link = io_.open_link(peer_.endpoint(), protocol_);
  ASSERT_TRUE(run_until([&] { return link->connected(); }));
  protocol_.append(std::string(1 << 20, 'x'));
  link->flush();
  link.reset();  // a read and maybe a write pending
  peer_.to_send = "late";
  peer_.close_connection();
  run_until([] { return false; }, 50);
  EXPECT_EQ(protocol_.disconnected, 0);
  EXPECT_EQ(protocol_.input, "");
}

TEST_F(AsioStoreLinkTest, ShutdownDisconnectsForGood) {
  auto link = io_.open_link(peer_.endpoint(), protocol_);
  ASSERT_TRUE(run_until([&] { return link->connected(); }));
  io_.shutdown();
  EXPECT_EQ(protocol_.disconnected, 1);
  EXPECT_FALSE(link->connected());
  run_until([] { return false; }, 50);
  EXPECT_EQ(peer_.accepted, 1);
  EXPECT_EQ(protocol_.connected, 1);
}

}  // namespace
}  // namespace iomb::asio
