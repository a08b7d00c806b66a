// The [[server]] client key of matrix files: iomb by default, wrk on request, nothing else.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "harness/matrix/matrix_spec.h"

namespace iomb::matrix {
namespace {

TEST(MatrixServerClient, DefaultsToIombAndAcceptsWrk) {
  MatrixSpec spec = parse_matrix_toml(R"(
protocols = ["http"]
[[server]]
model = "nio"
[[server]]
model = "nio"
mode = "wrk"
client = "wrk"
)",
                                      "t.toml");
  ASSERT_EQ(spec.servers.size(), 2u);
  EXPECT_EQ(spec.servers[0].client, "iomb");
  EXPECT_EQ(spec.servers[1].client, "wrk");
  EXPECT_EQ(spec.servers[1].id(), "nio:wrk");
}

TEST(MatrixServerClient, RejectsAnUnknownClient) {
  try {
    parse_matrix_toml("[[server]]\nmodel = \"nio\"\nclient = \"ab\"\n", "t.toml");
    FAIL() << "accepted client = \"ab\"";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("client"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace iomb::matrix
