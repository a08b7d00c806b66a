// Unit tests of nio/timer_wheel.h: deadlines fire exactly once, at the right tick, including
// deadlines beyond one revolution, cancellation, rescheduling from a callback, and time jumps.
#include "nio/timer_wheel.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

namespace iomb::nio {
namespace {

struct Item : TimerNode {
  int id = 0;
};

// Advances one tick at a time and records at which tick each item fired.
std::map<int, uint64_t> run_until(TimerWheel& wheel, uint64_t end) {
  std::map<int, uint64_t> fired;
  while (wheel.now() < end) {
    uint64_t tick = wheel.now() + 1;
    wheel.advance(tick, [&](TimerNode& n) {
      auto& item = static_cast<Item&>(n);
      EXPECT_TRUE(fired.emplace(item.id, tick).second) << "item " << item.id << " fired twice";
    });
  }
  return fired;
}

TEST(TimerWheel, FiresAtItsDeadline) {
  TimerWheel wheel(8);
  Item a, b, c;
  a.id = 1;
  b.id = 2;
  c.id = 3;
  wheel.schedule(a, 3);
  wheel.schedule(b, 5);
  wheel.schedule(c, 5);
  EXPECT_EQ(wheel.size(), 3u);
  auto fired = run_until(wheel, 10);
  EXPECT_EQ(fired, (std::map<int, uint64_t>{{1, 3}, {2, 5}, {3, 5}}));
  EXPECT_EQ(wheel.size(), 0u);
  EXPECT_FALSE(a.scheduled());
}

TEST(TimerWheel, DeadlinesBeyondOneRevolution) {
  TimerWheel wheel(4);  // 4 slots: deadline 11 shares slot 3 with deadlines 3 and 7
  Item far, near;
  far.id = 1;
  near.id = 2;
  wheel.schedule(far, 11);
  wheel.schedule(near, 3);
  auto fired = run_until(wheel, 20);
  EXPECT_EQ(fired, (std::map<int, uint64_t>{{1, 11}, {2, 3}}));
}

TEST(TimerWheel, PastDeadlineFiresOnNextAdvance) {
  TimerWheel wheel(8);
  wheel.advance(10, [](TimerNode&) { FAIL(); });
  Item a;
  a.id = 1;
  wheel.schedule(a, 4);
  auto fired = run_until(wheel, 12);
  EXPECT_EQ(fired, (std::map<int, uint64_t>{{1, 11}}));
}

TEST(TimerWheel, CancelAndReschedule) {
  TimerWheel wheel(8);
  Item a, b;
  a.id = 1;
  b.id = 2;
  wheel.schedule(a, 2);
  wheel.schedule(b, 2);
  wheel.cancel(a);
  wheel.cancel(a);       // idempotent
  wheel.schedule(b, 6);  // moves, does not duplicate
  EXPECT_EQ(wheel.size(), 1u);
  auto fired = run_until(wheel, 10);
  EXPECT_EQ(fired, (std::map<int, uint64_t>{{2, 6}}));
}

// The idle-timeout pattern: the callback re-arms the node; it must not fire again in the same
// advance, even when the new deadline lands in the slot being walked.
TEST(TimerWheel, RescheduleFromCallbackFiresLater) {
  TimerWheel wheel(4);
  Item a;
  a.id = 1;
  wheel.schedule(a, 2);
  std::vector<uint64_t> ticks;
  for (uint64_t t = 1; t <= 20; ++t) {
    wheel.advance(t, [&](TimerNode& n) {
      ticks.push_back(t);
      if (ticks.size() < 3) wheel.schedule(n, t + 4);  // same slot, next revolution
    });
  }
  EXPECT_EQ(ticks, (std::vector<uint64_t>{2, 6, 10}));
}

// A jump of many revolutions fires everything due exactly once and keeps what is not due.
TEST(TimerWheel, LargeJumpFiresEverythingDue) {
  TimerWheel wheel(16);
  std::vector<Item> items(200);
  std::mt19937 rng(42);
  for (int i = 0; i < 200; ++i) {
    items[i].id = i;
    wheel.schedule(items[i], 1 + rng() % 300);
  }
  std::map<int, int> count;
  wheel.advance(150, [&](TimerNode& n) { ++count[static_cast<Item&>(n).id]; });
  for (auto& item : items) {
    if (item.deadline <= 150) {
      EXPECT_EQ(count[item.id], 1) << item.id;
      EXPECT_FALSE(item.scheduled());
    } else {
      EXPECT_EQ(count.count(item.id), 0u) << item.id;
      EXPECT_TRUE(item.scheduled());
    }
  }
  wheel.advance(1000, [&](TimerNode& n) { ++count[static_cast<Item&>(n).id]; });
  EXPECT_EQ(count.size(), 200u);
  for (auto& [id, c] : count) EXPECT_EQ(c, 1) << id;
  EXPECT_EQ(wheel.size(), 0u);
}

// Random schedule / cancel / reschedule against a reference model, ticking one at a time.
TEST(TimerWheel, MatchesReferenceModel) {
  TimerWheel wheel(32);
  std::vector<Item> items(64);
  std::map<int, uint64_t> expected;  // id -> deadline, for scheduled items
  std::mt19937 rng(7);
  for (int i = 0; i < 64; ++i) items[i].id = i;
  for (uint64_t t = 1; t <= 2000; ++t) {
    for (int k = 0; k < 3; ++k) {
      int i = static_cast<int>(rng() % 64);
      if (rng() % 4 == 0) {
        wheel.cancel(items[i]);
        expected.erase(i);
      } else {
        uint64_t d = wheel.now() + rng() % 100;
        wheel.schedule(items[i], d);
        expected[i] = std::max(d, wheel.now() + 1);
      }
    }
    ASSERT_EQ(wheel.size(), expected.size());
    wheel.advance(t, [&](TimerNode& n) {
      int id = static_cast<Item&>(n).id;
      auto it = expected.find(id);
      ASSERT_NE(it, expected.end()) << "unscheduled item " << id << " fired";
      EXPECT_EQ(it->second, t) << "item " << id;
      expected.erase(it);
    });
    for (auto& [id, d] : expected) ASSERT_GT(d, t) << "item " << id << " missed";
  }
}

}  // namespace
}  // namespace iomb::nio
