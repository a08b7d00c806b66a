// The number formats of the report tables.
#include "harness/report/text_format.h"

#include <gtest/gtest.h>

namespace iomb::report {
namespace {

TEST(TextFormat, Rates) {
  EXPECT_EQ(format_rate(950), "950");
  EXPECT_EQ(format_rate(9999), "9,999");
  EXPECT_EQ(format_rate(12345), "12.3k");
  EXPECT_EQ(format_rate(1234567), "1.23M");
}

TEST(TextFormat, LatencyRatioSizeNumbers) {
  EXPECT_EQ(format_latency_us(4.214), "4.21");
  EXPECT_EQ(format_latency_us(45.24), "45.2");
  EXPECT_EQ(format_latency_us(312.4), "312");
  EXPECT_EQ(format_latency_us(12345.6), "12,346");
  EXPECT_EQ(format_ratio(0.5), "0.50×");
  EXPECT_EQ(format_mib(4900), "4.8 MiB");
  EXPECT_EQ(format_mib(1024 * 300), "300 MiB");
  EXPECT_EQ(format_number(-1234), "-1,234");
  EXPECT_EQ(format_number(0.2), "0");
  EXPECT_EQ(or_missing(std::nullopt, format_ratio), kMissing);
}

}  // namespace
}  // namespace iomb::report
