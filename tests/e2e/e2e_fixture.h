#pragma once
// A temporary working directory with a small synthetic dataset and a fast config, shared by
// the e2e tests; every test gets its own store path inside it.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/process_runner.h"

namespace mmoe::e2e {

class MmoeCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  // Runs `mmoe args...` in this test's directory.
  ProcessResult mmoe(const std::vector<std::string>& args) const;
  std::filesystem::path write_file(const std::string& name, const std::string& text) const;

  static std::filesystem::path suite_dir_;
  static std::filesystem::path dataset_dir_;
  static std::filesystem::path config_path_;  // trains in a second on the dataset
  std::filesystem::path test_dir_;
  std::filesystem::path store_;  // test_dir_/runs.db
};

const char* mmoe_binary();
int count_lines(const std::string& text);

}  // namespace mmoe::e2e
