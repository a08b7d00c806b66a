// The echo integration suite: the same cases run against every server row (model + mode +
// flags). Each model adds its rows with INSTANTIATE_TEST_SUITE_P(<Model>, EchoServerTest, ...)
// in its own <model>_rows_test.cc. Test threads only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "tests/integration/server_process.h"

namespace iomb::testing {

struct ServerRow {
  std::string model;              // binary is iomb-<model>
  std::string mode;               // --mode
  std::vector<std::string> args;  // further flags, e.g. {"--trigger", "et"}
  bool pool_like = false;         // one connection per worker thread (bio pool)
};

std::string row_name(const ::testing::TestParamInfo<ServerRow>& info);
void PrintTo(const ServerRow& row, std::ostream* os);

class EchoServerTest : public ::testing::TestWithParam<ServerRow> {
 protected:
  // Starts the row's server with `extra` flags; skips the test if the model is unavailable
  // here (exit 77) and fails if it does not start.
  std::unique_ptr<ServerProcess> start(std::vector<std::string> extra = {});
};

// In a TEST_P of these suites: starts the row's server as `var`; skips the rest of the test
// when start() skipped, fails it when the server did not start.
#define IOMB_START(var, ...)                \
  auto var = start(__VA_ARGS__);            \
  if (::testing::Test::IsSkipped()) return; \
  ASSERT_TRUE(var->started())

// The rows of the out-of-descriptors case (echo_emfile_cases_test.cc): one accepting loop, and
// several in one process, whose accepts share one descriptor table and one reserve of spare
// descriptors (common/spare_fd.h). A model adds its rows with
// INSTANTIATE_TEST_SUITE_P(<Model>, EmfileServerTest, ...).
class EmfileServerTest : public EchoServerTest {};

}  // namespace iomb::testing
