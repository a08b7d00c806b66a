// The top-level path key of matrix files: the HTTP request path of every http cell.
#include <gtest/gtest.h>

#include <stdexcept>

#include "harness/matrix/matrix_spec.h"

namespace iomb::matrix {
namespace {

TEST(MatrixPath, DefaultsToRootAndTakesAnyAbsolutePath) {
  const std::string server = "[[server]]\nmodel = \"nio\"\n";
  EXPECT_EQ(parse_matrix_toml(server, "t.toml").path, "/");
  EXPECT_EQ(parse_matrix_toml("path = \"/session\"\n" + server, "t.toml").path, "/session");
  EXPECT_THROW(parse_matrix_toml("path = \"session\"\n" + server, "t.toml"), std::invalid_argument);
  EXPECT_THROW(parse_matrix_toml("path = 1\n" + server, "t.toml"), std::invalid_argument);
}

}  // namespace
}  // namespace iomb::matrix
