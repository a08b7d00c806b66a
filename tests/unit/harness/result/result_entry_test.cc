// ResultEntry: write -> read -> equal for a full and a minimal entry, the keys and JSON types
// the writer emits, and the committed fixtures still reading.
#include "harness/result/result_entry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace iomb::result {
namespace {

ResultEntry full_entry() {
  ResultEntry e;
  e.name = "http/nio:reactors/c:10/d:1/s:64/r:1000/p:session";
  e.run_name = e.name;
  e.run_type = "iteration";
  e.family_index = 0;
  e.per_family_instance_index = 0;
  e.repetitions = 3;
  e.repetition_index = 1;
  e.threads = 2;
  e.iterations = 2000;
  e.real_time = 1e6;
  e.cpu_time = 5000.5;
  e.time_unit = "ns";
  e.error_occurred = false;
  e.error_message = "";
  e.skipped = false;
  e.skip_reason = "";
  double v = 1.25;
  for (auto* f : {&e.items_per_second,
                  &e.bytes_per_second,
                  &e.p50_us,
                  &e.p90_us,
                  &e.p99_us,
                  &e.p999_us,
                  &e.p9999_us,
                  &e.max_us,
                  &e.uncorrected_p50_us,
                  &e.uncorrected_p90_us,
                  &e.uncorrected_p99_us,
                  &e.uncorrected_p999_us,
                  &e.uncorrected_p9999_us,
                  &e.uncorrected_max_us,
                  &e.client_cpu_util,
                  &e.client_cpu_ns_per_req,
                  &e.offered_rate,
                  &e.achieved_rate,
                  &e.ctx_switches_per_req,
                  &e.syscalls_per_req,
                  &e.cpu_floor_ratio}) {
    *f = v;
    v += 1;
  }
  for (auto* f : {&e.errors, &e.non_2xx, &e.server_closes, &e.requests_resent, &e.sessions_created,
                  &e.sessions_lost, &e.sessions_stale, &e.sessions_skipped, &e.server_rss_kib,
                  &e.server_threads}) {
    *f = v;
    v += 1;
    *f = std::floor(**f);
  }
  e.iomb = nlohmann::json{{"valid", true}, {"histogram", "AAEC"}, {"series", {{{"t_s", 1.0}}}}};
  return e;
}

TEST(ResultEntry, FullEntryRoundTrips) {
  ResultEntry e = full_entry();
  auto back = ResultEntry::from_json(nlohmann::json::parse(e.to_json().dump()));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, e);
}

TEST(ResultEntry, MinimalEntryRoundTrips) {
  ResultEntry e;
  e.name = "echo/bio/c:1/d:1/s:64";
  nlohmann::json j = e.to_json();
  EXPECT_EQ(j, nlohmann::json({{"name", "echo/bio/c:1/d:1/s:64"}}));
  auto back = ResultEntry::from_json(j);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, e);
}

TEST(ResultEntry, WritesTodaysKeysAndTypes) {
  ResultEntry e;
  e.name = "echo/nio:reactors/c:1/d:1/s:64";
  e.run_type = "iteration";
  e.iterations = 7;
  e.real_time = 2.5;
  e.errors = 3;
  e.server_rss_kib = 1234;
  e.p99_us = 12.0;
  e.iomb = nlohmann::json{{"valid", true}};
  const auto expected = nlohmann::json::parse(R"({
    "name": "echo/nio:reactors/c:1/d:1/s:64", "run_type": "iteration", "iterations": 7,
    "real_time": 2.5, "errors": 3, "server_rss_kib": 1234, "p99_us": 12.0,
    "iomb": {"valid": true}})");
  EXPECT_EQ(e.to_json().dump(), expected.dump());
  // Aggregates hold every counter as a double.
  e.run_type = "aggregate";
  EXPECT_EQ(e.to_json()["errors"].dump(), "3.0");
}

TEST(ResultEntry, ReadsLeniently) {
  EXPECT_FALSE(ResultEntry::from_json(nlohmann::json::array()));
  auto e = ResultEntry::from_json({{"name", 5}, {"p99_us", "fast"}, {"iomb", 1}});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "");
  EXPECT_FALSE(e->p99_us);
  EXPECT_FALSE(e->iomb);
}

TEST(ResultEntry, CommittedFixturesReadAndRewriteTheSameKeys) {
  int files = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(IOMB_REPORT_FIXTURES)) {
    if (f.path().extension() != ".json") continue;
    std::ifstream in(f.path());
    auto doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_object() || !doc.contains("benchmarks")) continue;
    ++files;
    for (const auto& b : doc["benchmarks"]) {
      auto e = ResultEntry::from_json(b);
      ASSERT_TRUE(e) << f.path();
      nlohmann::json back = e->to_json();
      for (const auto& [key, value] : back.items()) {
        EXPECT_EQ(value, b.at(key)) << f.path() << " " << key;
      }
    }
  }
  EXPECT_GT(files, 0);
}

// The published reference results (xz-compressed): every entry reads, and writing it back gives
// the same value and JSON type for every key the entry knows.
TEST(ResultEntry, ReferenceResultsReadAndRewriteTheSameKeys) {
  const std::filesystem::path root =
      std::filesystem::path(IOMB_REPORT_FIXTURES) / "../../../../../results/reference";
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "no results/reference";
  int entries = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(root)) {
    if (f.path().filename() != "results.json.xz") continue;
    FILE* pipe = popen(("xz -dc '" + f.path().string() + "' 2>/dev/null").c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string text;
    char buf[65536];
    for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) text.append(buf, n);
    if (pclose(pipe) != 0) GTEST_SKIP() << "xz is not available";
    auto doc = nlohmann::json::parse(text, nullptr, false);
    ASSERT_TRUE(doc.is_object() && doc.contains("benchmarks")) << f.path();
    for (const auto& b : doc["benchmarks"]) {
      auto e = ResultEntry::from_json(b);
      ASSERT_TRUE(e) << f.path();
      ++entries;
      const nlohmann::json back = e->to_json();
      for (const auto& [key, value] : back.items()) {
        EXPECT_EQ(value.dump(), b.at(key).dump())
            << f.path() << " " << b.value("name", "") << " " << key;
      }
    }
  }
  EXPECT_GT(entries, 0);
}

}  // namespace
}  // namespace iomb::result
