#include "harness/sampling/text_fields.h"

#include <gtest/gtest.h>

namespace iomb::sampling {
namespace {

using Views = std::vector<std::string_view>;

TEST(Split, KeepsEmptyFields) {
  EXPECT_EQ(split("a,b,,c", ','), (Views{"a", "b", "", "c"}));
  EXPECT_EQ(split("", ','), (Views{""}));
  EXPECT_EQ(split("x\n", '\n'), (Views{"x", ""}));
  EXPECT_EQ(split("no separator", ','), (Views{"no separator"}));
}

TEST(Trim, RemovesSpacesTabsNewlines) {
  EXPECT_EQ(trim("  a b\t\n"), "a b");
  EXPECT_EQ(trim(" \t\n"), "");
  EXPECT_EQ(trim("x"), "x");
}

}  // namespace
}  // namespace iomb::sampling
