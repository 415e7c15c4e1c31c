#include "tests/e2e/e2e_fixture.h"

#include <unistd.h>

#include <fstream>

namespace mmoe::e2e {

std::filesystem::path MmoeCli::suite_dir_;
std::filesystem::path MmoeCli::dataset_dir_;
std::filesystem::path MmoeCli::config_path_;

const char* mmoe_binary() { return MMOE_BINARY; }

int count_lines(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines + (!text.empty() && text.back() != '\n');
}

void MmoeCli::SetUpTestSuite() {
  suite_dir_ = std::filesystem::temp_directory_path() / ("mmoe-e2e-" + std::to_string(getpid()));
  std::filesystem::create_directories(suite_dir_);
  dataset_dir_ = suite_dir_ / "data";
  const auto result = run(mmoe_binary(),
                          {"synth", "--kind", "attributes", "--out", dataset_dir_.string(), "--rows", "3000",
                           "--feature-dim", "32", "--seed", "3"},
                          suite_dir_);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  config_path_ = suite_dir_ / "fast.yaml";
  std::ofstream(config_path_) << "data:\n  dir: " << dataset_dir_.string()
                              << "\nmodel:\n  num_experts: 4\n  expert_hidden: [32, 16]\n  tower_hidden: [16]\n"
                                 "optim:\n  lr: 0.003\ntrain:\n  epochs: 6\n  batch_size: 64\n  seed: 1\n"
                                 "tracking:\n  experiment: e2e\n";
}

void MmoeCli::TearDownTestSuite() { std::filesystem::remove_all(suite_dir_); }

void MmoeCli::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  test_dir_ = suite_dir_ / info->name();
  std::filesystem::create_directories(test_dir_);
  store_ = test_dir_ / "runs.db";
}

ProcessResult MmoeCli::mmoe(const std::vector<std::string>& args) const { return run(mmoe_binary(), args, test_dir_); }

std::filesystem::path MmoeCli::write_file(const std::string& name, const std::string& text) const {
  const auto path = test_dir_ / name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace mmoe::e2e
