#include "harness/sampling/perf_stat_output.h"

#include <gtest/gtest.h>

namespace iomb::sampling {
namespace {

TEST(ParsePerfStatCsv, ReadsCountsAndIgnoresNotes) {
  const char* text =
      "Events disabled\n"
      "Events enabled\n"
      "10023,,raw_syscalls:sys_enter,721712,100.00,,\n"
      "3,,context-switches,721712,100.00,,\n"
      "0,,cpu-migrations,721712,100.00,,\n"
      "\n"
      "Events disabled\n";
  PerfCounts counts = parse_perf_stat_csv(text);
  EXPECT_EQ(counts.values.at("raw_syscalls:sys_enter"), 10023u);
  EXPECT_EQ(counts.values.at("context-switches"), 3u);
  EXPECT_EQ(counts.values.at("cpu-migrations"), 0u);
  EXPECT_TRUE(counts.unavailable.empty());
}

TEST(ParsePerfStatCsv, NotCountedIsZeroNotSupportedIsUnavailable) {
  PerfCounts counts = parse_perf_stat_csv(
      "<not counted>,,raw_syscalls:sys_enter,0,100.00,,\n"
      "<not supported>,,context-switches,0,100.00,,\n");
  EXPECT_EQ(counts.values.at("raw_syscalls:sys_enter"), 0u);
  EXPECT_EQ(counts.values.count("context-switches"), 0u);
  EXPECT_EQ(counts.unavailable.at("context-switches"), "<not supported>");
}

TEST(ParsePerfStatCsv, ToleratesGarbage) {
  PerfCounts counts = parse_perf_stat_csv("event syntax error: 'raw_syscalls:x'\n,,\nabc,,ev\n");
  EXPECT_TRUE(counts.values.empty());
}

}  // namespace
}  // namespace iomb::sampling
