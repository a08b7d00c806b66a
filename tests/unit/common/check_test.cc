#include "common/check.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/loop_thread.h"

namespace iomb {
namespace {

TEST(CheckDeathTest, FailedCheckAborts) {
  if (!kChecksEnabled) GTEST_SKIP() << "IOMB_CHECK is compiled out in release builds";
  int one = 1;
  EXPECT_DEATH(IOMB_CHECK(one == 2), "check failed: one == 2");
}

TEST(CheckDeathTest, OtherThreadFailsTheLoopThreadCheck) {
  if (!kChecksEnabled) GTEST_SKIP() << "IOMB_CHECK is compiled out in release builds";
  EXPECT_DEATH(
      {
        LoopThread loop;
        std::thread([&loop] { loop.bind(); }).join();
        IOMB_CHECK_IN_LOOP_THREAD(loop);
      },
      "check failed");
}

TEST(LoopThread, OwnerAndUnboundPass) {
  LoopThread loop;
  EXPECT_TRUE(loop.is_current());  // unbound: the single-threaded phase
  loop.bind();
  EXPECT_TRUE(loop.is_current());
  bool other = true;
  std::thread([&] { other = loop.is_current(); }).join();
  EXPECT_FALSE(other);
  loop.unbind();
  std::thread([&] { other = loop.is_current(); }).join();
  EXPECT_TRUE(other);
  {
    LoopThread::Binding binding(loop);
    std::thread([&] { other = loop.is_current(); }).join();
    EXPECT_FALSE(other);
  }
  EXPECT_TRUE(loop.is_current());
  IOMB_CHECK_IN_LOOP_THREAD(loop);
}

}  // namespace
}  // namespace iomb
