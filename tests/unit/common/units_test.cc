#include "common/units.h"

#include <gtest/gtest.h>

namespace iomb {
namespace {

TEST(ParseSize, AcceptsPlainNumbersAndBinaryUnits) {
  EXPECT_EQ(parse_size("64"), 64u);
  EXPECT_EQ(parse_size("64B"), 64u);
  EXPECT_EQ(parse_size("4KiB"), 4096u);
  EXPECT_EQ(parse_size("4k"), 4096u);
  EXPECT_EQ(parse_size("1MiB"), 1u << 20);
  EXPECT_EQ(parse_size("1.5KiB"), 1536u);
  EXPECT_EQ(parse_size("2GiB"), 2ull << 30);
}

TEST(ParseSize, RejectsGarbage) {
  EXPECT_THROW(parse_size(""), std::invalid_argument);
  EXPECT_THROW(parse_size("abc"), std::invalid_argument);
  EXPECT_THROW(parse_size("4XB"), std::invalid_argument);
  EXPECT_THROW(parse_size("0.5"), std::invalid_argument);
  EXPECT_THROW(parse_size("-1"), std::invalid_argument);
}

TEST(ParseDuration, AcceptsUnits) {
  using namespace std::chrono;
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("10s"), seconds(10));
  EXPECT_EQ(parse_duration("10"), seconds(10));
  EXPECT_EQ(parse_duration("2m"), minutes(2));
  EXPECT_EQ(parse_duration("750us"), microseconds(750));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1500));
  EXPECT_THROW(parse_duration("5 parsecs"), std::invalid_argument);
  EXPECT_THROW(parse_duration("ms"), std::invalid_argument);
}

TEST(FormatSize, RoundTripsThroughParse) {
  for (uint64_t v : {1ull, 64ull, 1000ull, 4096ull, 1ull << 20, 3ull << 30}) {
    EXPECT_EQ(parse_size(format_size(v)), v) << format_size(v);
  }
}

}  // namespace
}  // namespace iomb
