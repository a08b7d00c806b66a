#include "common/counters.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

namespace iomb {
namespace {

TEST(Counters, LocalAndSharedAddsAccumulate) {
  Counters c;
  c.add_local(Counter::kBytesIn, 10);
  c.add_local(Counter::kBytesIn, 5);
  c.add(Counter::kAccepted);
  auto s = c.snapshot();
  EXPECT_EQ(s[Counter::kBytesIn], 15u);
  EXPECT_EQ(s[Counter::kAccepted], 1u);
  EXPECT_EQ(s[Counter::kRejected], 0u);
}

TEST(Counters, SharedAddIsExactUnderContention) {
  Counters c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) c.add(Counter::kRequests);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.snapshot()[Counter::kRequests], 400000u);
}

TEST(CounterSnapshot, JsonRoundTripNestsErrors) {
  Counters c;
  c.add(Counter::kErrorsReset, 3);
  c.add(Counter::kErrorsOther, 4);
  c.add(Counter::kClosedByPeer, 7);
  auto j = c.snapshot().to_json();
  EXPECT_EQ(j["errors"]["reset"], 3);
  EXPECT_EQ(j["errors"]["other"], 4);
  EXPECT_EQ(j["closed_by_peer"], 7);
  EXPECT_FALSE(j.contains("reset"));
  auto back = CounterSnapshot::from_json(j);
  EXPECT_EQ(back.values, c.snapshot().values);
}

TEST(CounterSnapshot, SumAddsEveryField) {
  CounterSnapshot a, b;
  a.values.fill(1);
  b.values.fill(2);
  a += b;
  for (auto v : a.values) EXPECT_EQ(v, 3u);
}

}  // namespace
}  // namespace iomb
