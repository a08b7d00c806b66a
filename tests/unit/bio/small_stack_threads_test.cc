// Unit tests of bio/small_stack_threads.h: bodies run on threads with the requested stack,
// running() counts them, join_all() waits for every body and reap_finished() joins only the
// finished ones.
#include "bio/small_stack_threads.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace iomb::bio {
namespace {

using namespace std::chrono_literals;

constexpr size_t kStack = 64 * 1024;

TEST(SmallStackThreads, BodiesRunOnThreadsWithTheRequestedStack) {
  std::atomic<size_t> stack_seen{0};
  std::atomic<int> ran{0};
  std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> other_thread{false};
  {
    SmallStackThreads threads(kStack);
    for (int i = 0; i < 8; ++i) {
      ASSERT_EQ(threads.start([&] {
        pthread_attr_t attr;
        size_t bytes = 0;
        if (pthread_getattr_np(pthread_self(), &attr) == 0) {
          pthread_attr_getstacksize(&attr, &bytes);
          pthread_attr_destroy(&attr);
        }
        stack_seen = bytes;
        other_thread = std::this_thread::get_id() != caller;
        ++ran;
      }),
                0);
    }
    threads.join_all();
    EXPECT_EQ(ran.load(), 8);
    EXPECT_EQ(threads.running(), 0u);
  }
  EXPECT_TRUE(other_thread.load());
  // glibc may round the size up to whole pages, never down, and never to the 8 MiB default.
  EXPECT_GE(stack_seen.load(), kStack);
  EXPECT_LT(stack_seen.load(), 1024u * 1024u);
}

TEST(SmallStackThreads, RunningCountsUnfinishedBodiesAndReapLeavesThem) {
  SmallStackThreads threads(kStack);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> quick_done{false};
  ASSERT_EQ(threads.start([released] { released.wait(); }), 0);
  ASSERT_EQ(threads.start([&] { quick_done = true; }), 0);
  // The quick body finishes on its own; the blocked one keeps running() at 1.
  for (int i = 0; i < 500 && threads.running() != 1; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(threads.running(), 1u);
  EXPECT_TRUE(quick_done.load());
  threads.reap_finished();  // joins the finished thread only: must not block
  EXPECT_EQ(threads.running(), 1u);
  release.set_value();
  threads.join_all();
  EXPECT_EQ(threads.running(), 0u);
}

TEST(SmallStackThreads, DestructorWaitsForEveryBody) {
  std::atomic<int> finished{0};
  {
    SmallStackThreads threads(kStack);
    for (int i = 0; i < 4; ++i) {
      ASSERT_EQ(threads.start([&] {
        std::this_thread::sleep_for(20ms);
        ++finished;
      }),
                0);
    }
  }
  EXPECT_EQ(finished.load(), 4);
}

}  // namespace
}  // namespace iomb::bio
