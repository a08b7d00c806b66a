// read_result_file: a good file gives its context and entries; a missing file, a file that is
// not JSON and one without a benchmarks array each fail naming the file and the problem.
#include "harness/result/result_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace iomb::result {
namespace {

namespace fs = std::filesystem;

class ResultFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("iomb_result_file_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  void expect_problem(const std::string& path, ResultFileError::Problem problem,
                      const std::string& why) {
    try {
      read_result_file(path);
      ADD_FAILURE() << path << " read without an error";
    } catch (const ResultFileError& e) {
      EXPECT_EQ(e.problem(), problem);
      EXPECT_EQ(std::string(e.what()), path + ": " + why);
    }
  }

  fs::path dir_;
};

TEST_F(ResultFileTest, ReadsContextAndEntries) {
  auto doc = read_result_file(
      write("good.json", R"({"context": {"host_name": "h"}, "benchmarks": [{"name": "a"}, 3]})"));
  EXPECT_EQ(doc.context["host_name"], "h");
  ASSERT_EQ(doc.benchmarks.size(), 2u);
  EXPECT_EQ(doc.benchmarks[0]["name"], "a");
  EXPECT_EQ(doc.benchmarks[1], 3);  // entries are the caller's to judge
}

TEST_F(ResultFileTest, MissingContextReadsEmpty) {
  auto doc = read_result_file(write("bare.json", R"({"benchmarks": [], "context": 1})"));
  EXPECT_EQ(doc.context, nlohmann::json::object());
  EXPECT_TRUE(doc.benchmarks.empty());
}

TEST_F(ResultFileTest, MissingFile) {
  expect_problem((dir_ / "absent.json").string(), ResultFileError::Problem::kCannotOpen,
                 "cannot open");
}

TEST_F(ResultFileTest, NotJson) {
  expect_problem(write("bad.json", "{\"benchmarks\": ["), ResultFileError::Problem::kNotJson,
                 "not valid JSON");
}

TEST_F(ResultFileTest, NoBenchmarks) {
  const std::string why = "not a Google Benchmark result (no \"benchmarks\" array)";
  expect_problem(write("none.json", R"({"context": {}})"), ResultFileError::Problem::kNoBenchmarks,
                 why);
  expect_problem(write("object.json", R"({"benchmarks": {}})"),
                 ResultFileError::Problem::kNoBenchmarks, why);
  expect_problem(write("array.json", "[]"), ResultFileError::Problem::kNoBenchmarks, why);
}

}  // namespace
}  // namespace iomb::result
