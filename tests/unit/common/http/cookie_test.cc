// find_cookie: the Cookie header edge cases the /session endpoint meets.
#include "common/http/cookie.h"

#include <gtest/gtest.h>

namespace iomb::http {
namespace {

TEST(FindCookie, SingleCookie) { EXPECT_EQ(find_cookie("sid=abc", "sid"), "abc"); }

TEST(FindCookie, AmongOthers) {
  EXPECT_EQ(find_cookie("a=1; sid=abc; b=2", "sid"), "abc");
  EXPECT_EQ(find_cookie("a=1;sid=abc;b=2", "sid"), "abc");
  EXPECT_EQ(find_cookie("a=1;   sid=abc  ; b=2", "sid"), "abc");
}

TEST(FindCookie, NameMustMatchExactly) {
  EXPECT_EQ(find_cookie("xsid=abc; sidx=def", "sid"), "");
  EXPECT_EQ(find_cookie("SID=abc", "sid"), "");
  EXPECT_EQ(find_cookie("xsid=abc; sid=def", "sid"), "def");
}

TEST(FindCookie, FirstOfDuplicatesWins) {
  EXPECT_EQ(find_cookie("sid=one; sid=two", "sid"), "one");
}

TEST(FindCookie, QuotedValue) { EXPECT_EQ(find_cookie("sid=\"abc\"", "sid"), "abc"); }

TEST(FindCookie, EmptyAndMissing) {
  EXPECT_EQ(find_cookie("", "sid"), "");
  EXPECT_EQ(find_cookie("sid=", "sid"), "");
  EXPECT_EQ(find_cookie("sid", "sid"), "");
  EXPECT_EQ(find_cookie(";;; ;", "sid"), "");
  EXPECT_EQ(find_cookie("a=1", "sid"), "");
}

TEST(FindCookie, ValueMayContainEquals) { EXPECT_EQ(find_cookie("sid=a=b", "sid"), "a=b"); }

TEST(FindCookie, PairWithoutEqualsIsSkipped) {
  EXPECT_EQ(find_cookie("sid; sid=abc", "sid"), "abc");
}

}  // namespace
}  // namespace iomb::http
