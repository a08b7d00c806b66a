// Unit tests for aio/connection_table.h: slot reuse, generations, the idle list.
#include "aio/connection_table.h"

#include <gtest/gtest.h>

#include <vector>

namespace iomb::aio {
namespace {

std::vector<uint32_t> idle_order(ConnectionTable& t) {
  std::vector<uint32_t> order;
  for (uint32_t i = t.idle_oldest(); i != kNoSlot && order.size() < 100; i = t[i].idle_next) {
    order.push_back(i);
  }
  return order;
}

TEST(ConnectionTable, AllocatesUpToCapacityThenRefuses) {
  ConnectionTable t(3);
  EXPECT_EQ(t.allocate(), 0u);
  EXPECT_EQ(t.allocate(), 1u);
  EXPECT_EQ(t.allocate(), 2u);
  EXPECT_EQ(t.allocate(), kNoSlot);
  EXPECT_EQ(t.live(), 3u);
}

TEST(ConnectionTable, FreedSlotIsReusedWithANewGenerationAndFreshState) {
  ConnectionTable t(4);
  uint32_t a = t.allocate();
  t[a].pending_bytes = 99;
  t[a].closing = true;
  uint16_t gen = t[a].generation;
  t.free(a);
  EXPECT_EQ(t.live(), 0u);
  EXPECT_FALSE(t[a].in_use);
  uint32_t b = t.allocate();
  EXPECT_EQ(b, a);  // LIFO reuse
  EXPECT_EQ(t[b].generation, static_cast<uint16_t>(gen + 1));
  EXPECT_EQ(t[b].pending_bytes, 0u);
  EXPECT_FALSE(t[b].closing);
  EXPECT_TRUE(t[b].in_use);
}

TEST(ConnectionTable, IdleListKeepsLeastRecentlyActiveFirst) {
  ConnectionTable t(8);
  for (int i = 0; i < 4; ++i) t.touch(t.allocate(), 100 + i);
  EXPECT_EQ(idle_order(t), (std::vector<uint32_t>{0, 1, 2, 3}));
  t.touch(1, 200);
  EXPECT_EQ(idle_order(t), (std::vector<uint32_t>{0, 2, 3, 1}));
  t.touch(1, 201);  // already the most recent
  EXPECT_EQ(idle_order(t), (std::vector<uint32_t>{0, 2, 3, 1}));
  t.idle_remove(2);
  EXPECT_EQ(idle_order(t), (std::vector<uint32_t>{0, 3, 1}));
  t.idle_remove(2);  // not linked: no effect
  t.free(0);         // freeing unlinks
  EXPECT_EQ(idle_order(t), (std::vector<uint32_t>{3, 1}));
  EXPECT_EQ(t[1].last_active_ms, 201u);
  t.idle_remove(3);
  t.idle_remove(1);
  EXPECT_EQ(t.idle_oldest(), kNoSlot);
}

}  // namespace
}  // namespace iomb::aio
