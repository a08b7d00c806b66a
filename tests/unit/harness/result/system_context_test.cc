#include "harness/result/system_context.h"

#include <gtest/gtest.h>
#include <sys/utsname.h>

#include "harness/result/build_info.h"

namespace iomb::result {
namespace {

TEST(SystemContext, HasGoogleBenchmarkAndIombKeys) {
  nlohmann::json context = system_context();
  for (const char* key :
       {"date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled",
        "caches", "library_build_type", "kernel", "cpu_model", "allowed_cpus", "liburing_version",
        "boost_version", "git_sha", "build_type", "compiler", "iomb_version"}) {
    EXPECT_TRUE(context.contains(key)) << key;
  }
  EXPECT_GE(context["num_cpus"].get<int>(), 1);
  EXPECT_TRUE(context["caches"].is_array());
  utsname uts{};
  ASSERT_EQ(uname(&uts), 0);
  EXPECT_NE(context["kernel"].get<std::string>().find(uts.release), std::string::npos);
  // ISO 8601 with offset: 2026-11-26T07:46:34+00:00
  const std::string date = context["date"];
  ASSERT_EQ(date.size(), 25u) << date;
  EXPECT_EQ(date[10], 'T');
  EXPECT_EQ(date[22], ':');
}

TEST(BuildInfo, CarriesConfigureTimeFacts) {
  const BuildInfo& info = build_info();
  // A 40-hex sha from `git rev-parse HEAD`, or "unknown" outside a git checkout.
  if (info.git_sha != "unknown") {
    EXPECT_EQ(info.git_sha.size(), 40u) << info.git_sha;
    EXPECT_EQ(info.git_sha.find_first_not_of("0123456789abcdef"), std::string::npos);
  }
  EXPECT_FALSE(info.compiler.empty());
  EXPECT_FALSE(info.iomb_version.empty());
  EXPECT_FALSE(info.liburing_version.empty());
#if __has_include(<boost/version.hpp>)
  EXPECT_NE(info.boost_version, "none");
  EXPECT_EQ(info.boost_version.find('_'), std::string::npos);
#endif
}

}  // namespace
}  // namespace iomb::result
