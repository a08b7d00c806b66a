// Implementation of echo_suite.h.
#include "tests/integration/echo_suite.h"

namespace iomb::testing {

std::string row_name(const ::testing::TestParamInfo<ServerRow>& info) {
  std::string name = info.param.model + "_" + info.param.mode;
  for (auto& a : info.param.args) name += "_" + a;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

void PrintTo(const ServerRow& row, std::ostream* os) {
  *os << "iomb-" << row.model << " --mode " << row.mode;
  for (auto& a : row.args) *os << ' ' << a;
}

std::unique_ptr<ServerProcess> EchoServerTest::start(std::vector<std::string> extra) {
  const ServerRow& row = GetParam();
  std::vector<std::string> args{"--mode", row.mode};
  args.insert(args.end(), row.args.begin(), row.args.end());
  args.insert(args.end(), extra.begin(), extra.end());
  auto server = std::make_unique<ServerProcess>(binary_path("iomb-" + row.model), args);
  if (server->unavailable()) {
    [&] {
      GTEST_SKIP() << "iomb-" << row.model << " is unavailable here: " << server->stderr_text();
    }();
    return server;
  }
  EXPECT_TRUE(server->started()) << "iomb-" << row.model << " did not start; exit "
                                 << server->exit_code() << "; stderr: " << server->stderr_text();
  return server;
}

}  // namespace iomb::testing
