// Unit tests for aio/buffer_ring.h and the send queue of aio/connection.h, on a real ring
// (skipped where io_uring is unavailable).
#include "aio/buffer_ring.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "aio/connection.h"
#include "aio/ring.h"
#include "common/server_main.h"

namespace iomb::aio {
namespace {

class BufferRingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      ring_ = std::make_unique<Ring>(RingConfig{});
    } catch (const UnavailableError& e) {
      GTEST_SKIP() << e.what();
    }
    buffers_ = std::make_unique<BufferRing>(ring_->get(), 0, 16, 256);
  }
  void TearDown() override {
    ring_.reset();  // the ring goes first, as in RingLoop
    buffers_.reset();
  }
  std::unique_ptr<Ring> ring_;
  std::unique_ptr<BufferRing> buffers_;
};

TEST_F(BufferRingTest, AvailableFollowsDeliveryAndRecycling) {
  EXPECT_EQ(buffers_->available(), 16u);
  buffers_->on_delivered(3, 10);
  buffers_->on_delivered(5, 20);
  EXPECT_EQ(buffers_->available(), 14u);
  buffers_->recycle(3);
  EXPECT_EQ(buffers_->available(), 15u);
  EXPECT_EQ(buffers_->publish(), 1u);
  EXPECT_EQ(buffers_->publish(), 0u);
  EXPECT_NE(buffers_->data(1), buffers_->data(2));
  EXPECT_EQ(buffers_->data(2) - buffers_->data(1), 256);
}

TEST(BufferRingArgs, RejectsCountsThatAreNotPowersOfTwo) {
  std::unique_ptr<Ring> ring;
  try {
    ring = std::make_unique<Ring>(RingConfig{});
  } catch (const UnavailableError& e) {
    GTEST_SKIP() << e.what();
  }
  EXPECT_THROW(BufferRing(ring->get(), 0, 12, 256), std::system_error);
}

TEST_F(BufferRingTest, QueuedOrZeroCopyReferencedBuffersAreNotReleased) {
  Connection c;
  buffers_->on_delivered(1, 100);
  buffers_->on_delivered(2, 50);
  queue_push(c, *buffers_, 1);
  queue_push(c, *buffers_, 2);
  EXPECT_EQ(c.queue_head, 1);
  EXPECT_EQ(c.queue_tail, 2);
  EXPECT_EQ(c.queued_buffers, 2);
  EXPECT_FALSE(buffers_->release_if_done(1));  // still queued
  buffers_->meta(1).zc_refs = 1;               // a zero-copy notification is pending
  queue_pop(c, *buffers_);
  EXPECT_EQ(c.queue_head, 2);
  EXPECT_EQ(buffers_->available(), 14u) << "released before its notification";
  buffers_->meta(1).zc_refs = 0;
  EXPECT_TRUE(buffers_->release_if_done(1));
  EXPECT_EQ(buffers_->available(), 15u);
  queue_clear(c, *buffers_);
  EXPECT_TRUE(c.queue_empty());
  EXPECT_EQ(c.queue_tail, kNoBuffer);
  EXPECT_EQ(buffers_->available(), 16u);
}

TEST_F(BufferRingTest, OverflowBuffersLiveBesideTheRingAndNeverReachTheKernel) {
  const uint32_t overflow = buffers_->overflow_available();
  EXPECT_EQ(overflow, kNoBuffer - 16u) << "1 GiB of 256 B buffers is more than the ids";
  const uint16_t a = buffers_->allocate_overflow();
  const uint16_t b = buffers_->allocate_overflow();
  EXPECT_FALSE(buffers_->in_ring(a));
  EXPECT_TRUE(buffers_->in_ring(15));
  EXPECT_GE(a, 16);
  EXPECT_NE(a, b);
  EXPECT_EQ(buffers_->meta(a).length, 0u);
  EXPECT_EQ(buffers_->meta(a).next, kNoBuffer);
  EXPECT_EQ(buffers_->overflow_available(), overflow - 2);
  // Writable memory of a whole buffer, apart from its neighbours.
  std::memset(buffers_->data(a), 'a', 256);
  std::memset(buffers_->data(b), 'b', 256);
  EXPECT_EQ(buffers_->data(a)[255], 'a');
  EXPECT_EQ(buffers_->available(), 16u) << "overflow buffers are not ring buffers";
  // Queued, sent and released like ring buffers; released ones are handed out again.
  Connection c;
  queue_push(c, *buffers_, a);
  EXPECT_FALSE(buffers_->release_if_done(a));
  queue_pop(c, *buffers_);
  EXPECT_EQ(buffers_->overflow_available(), overflow - 1);
  EXPECT_EQ(buffers_->publish(), 0u) << "an overflow buffer was given to the kernel";
  EXPECT_EQ(buffers_->allocate_overflow(), a);
  buffers_->recycle(a);
  buffers_->recycle(b);
  EXPECT_EQ(buffers_->overflow_available(), overflow);
  // All free: the pages went back (madvise), and ids start over, zeroed.
  const uint16_t again = buffers_->allocate_overflow();
  EXPECT_EQ(again, a < b ? a : b);
  EXPECT_EQ(buffers_->data(again)[0], 0);
  buffers_->recycle(again);
}

TEST(BufferRingArgs, OverflowIsBoundedByAddressSpaceAndIds) {
  std::unique_ptr<Ring> ring;
  try {
    ring = std::make_unique<Ring>(RingConfig{});
  } catch (const UnavailableError& e) {
    GTEST_SKIP() << e.what();
  }
  // 1 MiB buffers: 1 GiB of overflow is 1024 of them.
  auto big = std::make_unique<BufferRing>(ring->get(), 0, 1024, 1 << 20);
  EXPECT_EQ(big->overflow_available(), 1024u);
  for (uint32_t i = 0; i < 1024; ++i) ASSERT_NE(big->allocate_overflow(), kNoBuffer) << i;
  EXPECT_EQ(big->allocate_overflow(), kNoBuffer);
  EXPECT_EQ(big->overflow_available(), 0u);
  ring.reset();  // the ring goes first, as in RingLoop
}

TEST(RingSetup, SimulatedFailureIsUnavailable) {
  RingConfig config;
  config.simulate_errno = EPERM;
  EXPECT_THROW(Ring ring(config), UnavailableError);
}

}  // namespace
}  // namespace iomb::aio
