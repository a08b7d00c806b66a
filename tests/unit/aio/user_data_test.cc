// Unit tests for aio/user_data.h.
#include "aio/user_data.h"

#include <gtest/gtest.h>

namespace iomb::aio {
namespace {

TEST(UserData, RoundTripsEveryField) {
  for (Op op : {Op::kAccept, Op::kRecv, Op::kSend, Op::kCancelLoop, Op::kShutdown}) {
    for (uint16_t gen : {uint16_t{0}, uint16_t{1}, uint16_t{0xffff}}) {
      for (uint16_t buf : {uint16_t{0}, uint16_t{4095}, uint16_t{0xffff}}) {
        for (uint32_t slot : {0u, 1u, UserData::kMaxSlots - 1}) {
          UserData d = UserData::decode(UserData{op, gen, buf, slot}.encode());
          EXPECT_EQ(d.op, op);
          EXPECT_EQ(d.generation, gen);
          EXPECT_EQ(d.buffer, buf);
          EXPECT_EQ(d.slot, slot);
        }
      }
    }
  }
}

TEST(UserData, GenerationDistinguishesIncarnationsOfASlot) {
  EXPECT_NE((UserData{Op::kRecv, 1, 0, 7}.encode()), (UserData{Op::kRecv, 2, 0, 7}.encode()));
  EXPECT_NE((UserData{Op::kRecv, 1, 0, 7}.encode()), (UserData{Op::kSend, 1, 0, 7}.encode()));
}

}  // namespace
}  // namespace iomb::aio
