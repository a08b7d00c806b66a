#include "harness/cpu/cpu_list.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace iomb::cpu {
namespace {

TEST(ParseCpuList, SinglesRangesAndMixes) {
  EXPECT_EQ(parse_cpu_list("0"), (std::vector<int>{0}));
  EXPECT_EQ(parse_cpu_list("0-1,3"), (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(parse_cpu_list("4-6,1"), (std::vector<int>{1, 4, 5, 6}));
  EXPECT_EQ(parse_cpu_list(" 2 , 0-1 \n"), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(parse_cpu_list("3-3"), (std::vector<int>{3}));
}

TEST(ParseCpuList, SortsAndRemovesDuplicates) {
  EXPECT_EQ(parse_cpu_list("3,1,1,0-2"), (std::vector<int>{0, 1, 2, 3}));
}

TEST(ParseCpuList, RejectsBadInput) {
  for (const char* bad : {"", " ", ",", "1,", ",1", "1,,2", "a", "1a", "-1", "1-", "3-1", "1-2-3",
                          "+1", "0x1", "1.5", "99999", "8192"}) {
    EXPECT_THROW(parse_cpu_list(bad), std::invalid_argument) << "'" << bad << "'";
  }
}

TEST(ParseCpuList, ErrorNamesTheText) {
  try {
    parse_cpu_list("0-x");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("0-x"), std::string::npos) << e.what();
  }
}

TEST(FormatCpuList, CompressesRuns) {
  EXPECT_EQ(format_cpu_list({}), "");
  EXPECT_EQ(format_cpu_list({0}), "0");
  EXPECT_EQ(format_cpu_list({0, 1, 3}), "0-1,3");
  EXPECT_EQ(format_cpu_list({5, 0, 2, 1, 4}), "0-2,4-5");
  EXPECT_EQ(format_cpu_list({7, 7, 7}), "7");
}

TEST(FormatCpuList, RoundTrips) {
  for (const char* text : {"0", "0-1,3", "0-2,4-5,7,9-12"}) {
    EXPECT_EQ(format_cpu_list(parse_cpu_list(text)), text);
  }
}

}  // namespace
}  // namespace iomb::cpu
