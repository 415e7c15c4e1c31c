// Linear warmup: the factor by hand, and the lr of every step of small runs (per group, in steps
// and in epochs), including how ReduceLROnPlateau waits for the warmup and then reduces the
// post-warmup lr.
#include <gtest/gtest.h>

#include <vector>

#include "distributed/communicator.h"
#include "tests/trainer/loop_test_util.h"
#include "trainer/lr_warmup.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {
namespace {

using testing::Recorder;
using testing::small_config;
using testing::TempDataset;

// 800 rows -> 560 train rows; batch 64 -> 8 steps per epoch (ragged tail dropped).
constexpr int64_t kStepsPerEpoch = 8;

double lr_of(const StepProgress& step, const std::string& group) {
  for (const auto& [name, lr] : step.learning_rates) {
    if (name == group) return lr;
  }
  ADD_FAILURE() << "no lr for group " << group;
  return 0.0;
}

TEST(WarmupFactor, RampsLinearlyFromTheStartFactorToOne) {
  EXPECT_DOUBLE_EQ(warmup_factor(0, 4, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(warmup_factor(1, 4, 0.0), 0.25);
  EXPECT_DOUBLE_EQ(warmup_factor(3, 4, 0.0), 0.75);
  EXPECT_DOUBLE_EQ(warmup_factor(4, 4, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(warmup_factor(100, 4, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(warmup_factor(0, 5, 0.2), 0.2);
  EXPECT_DOUBLE_EQ(warmup_factor(2, 5, 0.2), 0.52);  // 0.2 + 0.8 * 2/5
  EXPECT_DOUBLE_EQ(warmup_factor(0, 0, 0.3), 1.0);   // no warmup
  EXPECT_DOUBLE_EQ(warmup_factor(0, 3, 1.0), 1.0);
}

class WarmupRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dataset_ = new TempDataset("warmup", 800); }
  static void TearDownTestSuite() {
    delete dataset_;
    dataset_ = nullptr;
  }
  static Recorder train(const experiments::Config& config) {
    distributed::LocalCommunicator communicator;
    Trainer trainer(config, communicator);
    Recorder recorder;
    trainer.train(recorder);
    return recorder;
  }
  static TempDataset* dataset_;
};

TempDataset* WarmupRun::dataset_ = nullptr;

TEST_F(WarmupRun, StepsRampEveryGroupFromItsOwnLr) {
  auto config = small_config(dataset_->dir(), 1);
  config.scheduler.type = experiments::SchedulerType::kNone;
  config.optim.lr = 1e-3;
  config.optim.groups[experiments::ParamGroup::kExperts].lr = 2e-3;
  config.scheduler.warmup_steps = 5;
  config.scheduler.warmup_start_factor = 0.2;
  const auto run = train(config);
  ASSERT_EQ(run.steps.size(), static_cast<size_t>(kStepsPerEpoch));
  // factor 0.2 + 0.8 s / 5 for s = 0..4, then 1.
  const std::vector<double> factors = {0.2, 0.36, 0.52, 0.68, 0.84, 1.0, 1.0, 1.0};
  for (size_t s = 0; s < factors.size(); ++s) {
    EXPECT_NEAR(lr_of(run.steps[s], "towers"), 1e-3 * factors[s], 1e-18) << "step " << s + 1;
    EXPECT_NEAR(lr_of(run.steps[s], "gates"), 1e-3 * factors[s], 1e-18) << "step " << s + 1;
    EXPECT_NEAR(lr_of(run.steps[s], "experts"), 2e-3 * factors[s], 1e-18) << "step " << s + 1;
  }
  EXPECT_EQ(run.epochs.at(0).learning_rates.size(), 3u);
}

TEST_F(WarmupRun, EpochsConvertWithTheStepsPerEpoch) {
  auto config = small_config(dataset_->dir(), 2);
  config.scheduler.type = experiments::SchedulerType::kNone;
  config.scheduler.warmup_epochs = 1;  // 8 steps from 0
  const auto run = train(config);
  ASSERT_EQ(run.steps.size(), static_cast<size_t>(2 * kStepsPerEpoch));
  const std::vector<double> expected = {0.0,      1.25e-4, 2.5e-4, 3.75e-4, 5e-4, 6.25e-4, 7.5e-4, 8.75e-4,
                                        1e-3,     1e-3,    1e-3,   1e-3,    1e-3, 1e-3,    1e-3,   1e-3};
  for (size_t s = 0; s < expected.size(); ++s) {
    EXPECT_NEAR(lr_of(run.steps[s], "experts"), expected[s], 1e-18) << "step " << s + 1;
  }
  // The epoch reports the optimizer's lr at its end: the warmup ended with epoch 1's last step,
  // which restored the full lr.
  EXPECT_NEAR(run.epochs.at(0).learning_rates.front().second, 1e-3, 1e-18);
  EXPECT_NEAR(run.epochs.at(1).learning_rates.front().second, 1e-3, 1e-18);
}

// Plateau with patience 0 and an abs threshold of 10 (never an improvement after its first step):
// each step after the first halves the lr. Warmup of 2 epochs (16 steps) ends at epoch 2's end,
// so the plateau's first step is there (sets best; without the wait it would have been at epoch
// 1 and the lr halved after epoch 2), then it halves the full post-warmup lr after epochs 3 and 4.
TEST_F(WarmupRun, PlateauWaitsForTheWarmupAndReducesThePostWarmupLr) {
  auto config = small_config(dataset_->dir(), 5);
  config.scheduler.type = experiments::SchedulerType::kReduceOnPlateau;
  config.scheduler.patience = 0;
  config.scheduler.factor = 0.5;
  config.scheduler.threshold = 10.0;
  config.scheduler.threshold_mode = experiments::ThresholdMode::kAbs;
  config.scheduler.warmup_epochs = 2;
  config.scheduler.warmup_start_factor = 0.5;
  const auto run = train(config);
  ASSERT_EQ(run.steps.size(), static_cast<size_t>(5 * kStepsPerEpoch));
  // Mid-warmup, the epoch reports the lr its last step used: step 8 of 16, 1e-3 * (0.5 + 0.5 * 7/16).
  EXPECT_NEAR(run.epochs.at(0).learning_rates.front().second, 1e-3 * (0.5 + 0.5 * 7.0 / 16.0), 1e-18);
  std::vector<double> expected;
  for (int s = 0; s < 16; ++s) expected.push_back(1e-3 * (0.5 + 0.5 * s / 16.0));
  for (int s = 16; s < 24; ++s) expected.push_back(1e-3);
  for (int s = 24; s < 32; ++s) expected.push_back(5e-4);
  for (int s = 32; s < 40; ++s) expected.push_back(2.5e-4);
  for (size_t s = 0; s < expected.size(); ++s) {
    EXPECT_NEAR(lr_of(run.steps[s], "towers"), expected[s], 1e-18) << "step " << s + 1;
  }
}

TEST_F(WarmupRun, WarmupStateRoundTripsThroughLoopState) {
  auto config = small_config(dataset_->dir(), 1);
  config.scheduler.warmup_steps = 100;
  distributed::LocalCommunicator communicator;
  Trainer trainer(config, communicator);
  Recorder recorder;
  trainer.train(recorder);
  EXPECT_EQ(trainer.loop_state().warmup.step, kStepsPerEpoch);
  auto state = trainer.loop_state();
  state.warmup.step = 42;
  trainer.load_loop_state(state);
  EXPECT_EQ(trainer.loop_state().warmup.step, 42);
}

}  // namespace
}  // namespace mmoe::trainer
