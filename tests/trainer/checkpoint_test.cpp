// Checkpoint directories (trainer/checkpoint.h): what is written reads back bitwise; a directory
// without its manifest is not complete; changed bytes, a newer format and a missing path are
// each refused with one line naming the path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "trainer/checkpoint.h"
#include "trainer/train_error.h"

namespace mmoe::trainer {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class CheckpointFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mmoe-checkpoint-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A small state with hand-picked values.
  static Checkpoint sample(int64_t epoch) {
    Checkpoint c;
    c.info.run_id = "0123456789ab";
    c.info.config_hash = std::string(64, 'a');
    c.config_yaml = "train:\n  epochs: 5\n";
    c.model_spec_text = "mmoe_model_spec=1\n";
    auto& s = c.state;
    s.loop = LoopCounters{epoch, 40 * epoch, 2, 0.625};
    s.sampler = data::SamplerPosition{epoch, 40};
    s.scheduler = {0.625, 1.0, 0.0, static_cast<double>(epoch)};
    s.learning_rates = {1e-3, 5e-4};
    s.optimizer = {{AdamMoments{7, torch::tensor({1.0f, -2.0f}), torch::tensor({0.5f, 0.25f})}, std::nullopt},
                   {AdamMoments{7, torch::full({2, 2}, 0.125f), torch::full({2, 2}, 3.0f)}}};
    s.model = {{"experts.weight", torch::arange(6, torch::kFloat32).reshape({2, 3})},
               {"towers.0.bias", torch::tensor({0.1f})},
               {"input.feature_mean", torch::zeros({3})}};
    s.cpu_rng = torch::arange(16, torch::kUInt8);
    return c;
  }

  fs::path dir_;
};

TEST_F(CheckpointFiles, WhatIsWrittenReadsBackBitwise) {
  const auto path = write_checkpoint(dir_ / "run", CheckpointKind::kLast, sample(3));
  EXPECT_EQ(path, dir_ / "run" / "last");
  for (const char* file : {kStateFile, kConfigFile, kManifestFile}) EXPECT_TRUE(fs::exists(path / file)) << file;

  const auto c = load_checkpoint(path);
  EXPECT_EQ(c.info.run_id, "0123456789ab");
  EXPECT_EQ(c.info.kind, "last");
  EXPECT_EQ(c.info.epoch, 3);
  EXPECT_EQ(c.info.global_step, 120);
  EXPECT_EQ(c.info.config_hash, std::string(64, 'a'));
  EXPECT_EQ(c.info.format_version, kCheckpointFormatVersion);
  EXPECT_EQ(c.config_yaml, "train:\n  epochs: 5\n");
  EXPECT_EQ(c.model_spec_text, "mmoe_model_spec=1\n");
  const auto& s = c.state;
  EXPECT_EQ(s.loop.completed_epoch, 3);
  EXPECT_EQ(s.loop.global_step, 120);
  EXPECT_EQ(s.loop.best_epoch, 2);
  EXPECT_EQ(s.loop.best_value, 0.625);
  EXPECT_EQ(s.sampler, (data::SamplerPosition{3, 40}));
  EXPECT_EQ(s.scheduler, (std::vector<double>{0.625, 1.0, 0.0, 3.0}));
  EXPECT_EQ(s.learning_rates, (std::vector<double>{1e-3, 5e-4}));
  ASSERT_EQ(s.optimizer.size(), 2u);
  ASSERT_EQ(s.optimizer[0].size(), 2u);
  ASSERT_TRUE(s.optimizer[0][0].has_value());
  EXPECT_EQ(s.optimizer[0][0]->step, 7);
  EXPECT_TRUE(torch::equal(s.optimizer[0][0]->exp_avg, torch::tensor({1.0f, -2.0f})));
  EXPECT_TRUE(torch::equal(s.optimizer[0][0]->exp_avg_sq, torch::tensor({0.5f, 0.25f})));
  EXPECT_FALSE(s.optimizer[0][1].has_value());
  EXPECT_TRUE(torch::equal(s.optimizer[1][0]->exp_avg_sq, torch::full({2, 2}, 3.0f)));
  ASSERT_EQ(s.model.size(), 3u);
  EXPECT_EQ(s.model[0].first, "experts.weight");
  EXPECT_TRUE(torch::equal(s.model[0].second, torch::arange(6, torch::kFloat32).reshape({2, 3})));
  EXPECT_EQ(s.model[2].first, "input.feature_mean");
  EXPECT_TRUE(torch::equal(s.cpu_rng, torch::arange(16, torch::kUInt8)));
  EXPECT_TRUE(s.cuda_rng.empty());
}

TEST_F(CheckpointFiles, RewritingReplacesTheCheckpointAndLeavesNoStagingBehind) {
  write_checkpoint(dir_ / "run", CheckpointKind::kLast, sample(1));
  write_checkpoint(dir_ / "run", CheckpointKind::kLast, sample(2));
  write_checkpoint(dir_ / "run", CheckpointKind::kBest, sample(2));
  EXPECT_EQ(load_checkpoint(dir_ / "run" / "last").info.epoch, 2);
  EXPECT_EQ(load_checkpoint(dir_ / "run" / "best").info.kind, "best");
  std::vector<std::string> entries;
  for (const auto& entry : fs::directory_iterator(dir_ / "run")) entries.push_back(entry.path().filename());
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, (std::vector<std::string>{"best", "last"}));
  // A run directory means its 'last'; a file means its directory.
  EXPECT_EQ(load_checkpoint(dir_ / "run").info.kind, "last");
  EXPECT_EQ(load_checkpoint(dir_ / "run" / "best" / kStateFile).info.kind, "best");
}

TEST_F(CheckpointFiles, ADirectoryWithoutItsManifestIsNotComplete) {
  const auto path = write_checkpoint(dir_ / "run", CheckpointKind::kLast, sample(1));
  fs::remove(path / kManifestFile);  // as a write that stopped before its last file
  EXPECT_FALSE(read_checkpoint_info(path).has_value());
  try {
    load_checkpoint(path);
    FAIL() << "expected CheckpointError";
  } catch (const CheckpointError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'" + path.string() + "' is incomplete"));
  }
}

TEST_F(CheckpointFiles, ChangedBytesAreDetected) {
  const auto path = write_checkpoint(dir_ / "run", CheckpointKind::kLast, sample(1));
  {
    std::fstream file(path / kStateFile, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(200);
    char byte = 0;
    file.read(&byte, 1);
    file.seekp(200);
    byte = static_cast<char>(byte ^ 0x5a);
    file.write(&byte, 1);
  }
  try {
    load_checkpoint(path);
    FAIL() << "expected CheckpointError";
  } catch (const CheckpointError& e) {
    EXPECT_THAT(e.what(), HasSubstr((path / kStateFile).string() + "' does not match its sha256"));
  }
}

TEST_F(CheckpointFiles, ATruncatedFileIsDetected) {
  const auto path = write_checkpoint(dir_ / "run", CheckpointKind::kLast, sample(1));
  fs::resize_file(path / kConfigFile, 3);
  EXPECT_THROW(read_checkpoint_info(path), CheckpointError);
}

TEST_F(CheckpointFiles, ANewerFormatIsRefusedNamingBothVersions) {
  const auto path = write_checkpoint(dir_ / "run", CheckpointKind::kLast, sample(1));
  std::ifstream in(path / kManifestFile);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find("format_version: 1");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 17, "format_version: 2");
  std::ofstream(path / kManifestFile) << text;
  try {
    load_checkpoint(path);
    FAIL() << "expected CheckpointError";
  } catch (const CheckpointError& e) {
    EXPECT_THAT(e.what(), HasSubstr("format version 2; this mmoe reads up to 1"));
  }
}

TEST_F(CheckpointFiles, AMissingPathIsNamed) {
  try {
    load_checkpoint(dir_ / "nope");
    FAIL() << "expected CheckpointError";
  } catch (const CheckpointError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'" + (dir_ / "nope").string() + "' does not exist"));
  }
}

}  // namespace
}  // namespace mmoe::trainer
