// BenchmarkName::parse, format, canonical_name and matches_model.
#include "harness/result/benchmark_name.h"

#include <gtest/gtest.h>

namespace iomb::result {
namespace {

TEST(BenchmarkName, ParsesEveryPart) {
  auto k = BenchmarkName::parse("echo/nio:reactors/c:100/d:16/s:4KiB/r:20k");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->protocol, "echo");
  EXPECT_EQ(k->model, "nio");
  EXPECT_EQ(k->mode, "reactors");
  EXPECT_EQ(k->model_mode(), "nio:reactors");
  EXPECT_EQ(k->connections, 100);
  EXPECT_EQ(k->depth, 16);
  EXPECT_EQ(k->size, 4096u);
  ASSERT_TRUE(k->rate);
  EXPECT_DOUBLE_EQ(*k->rate, 20000);
  EXPECT_TRUE(k->open_loop());
  EXPECT_EQ(k->canonical_name(), "echo/nio:reactors/c:100/d:16/s:4096/r:20000");
}

TEST(BenchmarkName, ClosedLoopAndDefaults) {
  auto k = BenchmarkName::parse("http/bio/s:64/x:ignored");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->mode, "");
  EXPECT_EQ(k->model_mode(), "bio");
  EXPECT_EQ(k->connections, 1);
  EXPECT_EQ(k->depth, 1);
  EXPECT_EQ(k->size, 64u);
  EXPECT_FALSE(k->open_loop());
  EXPECT_EQ(k->canonical_name(), "http/bio/c:1/d:1/s:64");
}

TEST(BenchmarkName, RejectsWhatIsNotOurs) {
  for (const char* bad : {"", "BM_Foo", "echo/", "/nio", "echo/:x", "echo/nio/c:many",
                          "echo/nio/c:-1", "echo/nio/s:huge", "echo/nio/r:fast", "echo/nio/r:"}) {
    EXPECT_FALSE(BenchmarkName::parse(bad)) << bad;
  }
}

TEST(BenchmarkName, MatchesModelExactlyOrByBareName) {
  auto k = *BenchmarkName::parse("echo/nio:reactors/c:1/d:1/s:64");
  EXPECT_TRUE(matches_model(k, "nio:reactors"));
  EXPECT_TRUE(matches_model(k, "nio"));
  EXPECT_FALSE(matches_model(k, "nio:acceptor"));
  EXPECT_FALSE(matches_model(k, "bio"));
}

TEST(BenchmarkName, FormatsAsTheResultFileWritesIt) {
  BenchmarkName k;
  k.protocol = "http";
  k.model = "nio";
  k.mode = "reactors";
  k.connections = 10;
  k.depth = 2;
  k.size = 64;
  EXPECT_EQ(k.format(), "http/nio:reactors/c:10/d:2/s:64");
  k.rate = 2500.5;
  k.path = "session";
  EXPECT_EQ(k.format(), "http/nio:reactors/c:10/d:2/s:64/r:2500.5/p:session");
  k.rate = 20000;
  EXPECT_EQ(k.format(), "http/nio:reactors/c:10/d:2/s:64/r:20000/p:session");
}

TEST(BenchmarkName, FormatAndParseRoundTrip) {
  for (const char* name :
       {"echo/bio:thread-per-conn/c:100/d:1/s:64", "echo/nio:reactors/c:100/d:16/s:4096/r:20000",
        "http/asio:pool/c:1/d:1/s:64/r:0.5/p:session", "echo/aio/c:2/d:3/s:0"}) {
    auto k = BenchmarkName::parse(name);
    ASSERT_TRUE(k) << name;
    EXPECT_EQ(k->format(), name);
    EXPECT_EQ(BenchmarkName::parse(k->format()), k);
  }
}

}  // namespace
}  // namespace iomb::result
