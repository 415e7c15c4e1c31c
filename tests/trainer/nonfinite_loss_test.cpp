// train.nonfinite_loss on runs whose loss is deterministically infinite: the price label of
// chosen train rows is set to 1e38, whose squared error overflows float32. error stops at the
// first such step naming task, epoch and step; skip skips exactly the steps holding such rows
// (batch 1: one step per row per epoch), leaves the weights untouched when every step is
// skipped, and stops anyway after kMaxConsecutiveSkippedSteps in a row.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "distributed/communicator.h"
#include "tests/trainer/loop_test_util.h"
#include "trainer/nonfinite_loss.h"
#include "trainer/train_error.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {
namespace {

using testing::Recorder;
using testing::small_config;
using testing::TempDataset;

constexpr float kHuge = 1e38f;
constexpr int64_t kTrainRows = 280;  // 70% of 400

std::vector<int64_t> all_train_rows() {
  std::vector<int64_t> rows(kTrainRows);
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

std::string error_of(Trainer& trainer, Recorder& recorder) {
  try {
    trainer.train(recorder);
  } catch (const TrainError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a TrainError";
  return "";
}

TEST(NonFiniteLoss, ErrorPolicyNamesTaskEpochAndStep) {
  TempDataset dataset("nonfinite-error", 400);
  dataset.set_train_price(all_train_rows(), kHuge);
  distributed::LocalCommunicator communicator;
  Trainer trainer(small_config(dataset.dir(), 2), communicator);
  Recorder recorder;
  EXPECT_EQ(error_of(trainer, recorder),
            "non-finite loss (inf) in task 'price' at epoch 1 step 1; lower optim.lr or check the data for extreme "
            "values (train.nonfinite_loss=skip skips such steps)");
  EXPECT_TRUE(recorder.steps.empty());
}

TEST(NonFiniteLoss, SkipPolicySkipsExactlyTheStepsWithAnInfiniteLoss) {
  TempDataset dataset("nonfinite-skip", 400);
  dataset.set_train_price({5, 100, 200}, kHuge);
  auto config = small_config(dataset.dir(), 2);
  config.train.batch_size = 1;  // every row once per epoch, one row per step
  config.train.nonfinite_loss = experiments::NonFiniteLoss::kSkip;
  distributed::LocalCommunicator communicator;
  Trainer trainer(config, communicator);
  Recorder recorder;
  const auto summary = trainer.train(recorder);
  ASSERT_EQ(recorder.epochs.size(), 2u);
  ASSERT_EQ(recorder.steps.size(), static_cast<size_t>(2 * kTrainRows));
  for (int epoch = 0; epoch < 2; ++epoch) {
    int skipped = 0;
    for (int64_t s = 0; s < kTrainRows; ++s) {
      const auto& step = recorder.steps[static_cast<size_t>(epoch * kTrainRows + s)];
      EXPECT_EQ(step.skipped, !std::isfinite(step.loss)) << "step " << step.global_step;
      skipped += step.skipped ? 1 : 0;
    }
    EXPECT_EQ(skipped, 3) << "epoch " << epoch + 1;
    const auto& report = recorder.epochs[static_cast<size_t>(epoch)];
    EXPECT_EQ(report.skipped_steps, 3);
    EXPECT_TRUE(std::isfinite(report.train_loss));  // the mean over the applied steps
    ASSERT_TRUE(report.grad_norm.has_value());
    EXPECT_TRUE(std::isfinite(*report.grad_norm));
  }
  EXPECT_TRUE(std::isfinite(summary.last.val_loss));
  const auto state = trainer.loop_state();
  EXPECT_EQ(state.nonfinite_loss.skipped_total, 6);
  EXPECT_EQ(state.nonfinite_loss.skipped_in_epoch, 3);
  EXPECT_EQ(state.grad_norm.steps, kTrainRows - 3);
}

TEST(NonFiniteLoss, SkippedStepsLeaveTheWeightsUntouched) {
  TempDataset dataset("nonfinite-all", 400);
  dataset.set_train_price(all_train_rows(), kHuge);
  auto config = small_config(dataset.dir(), 2);  // 280 / 64: 4 steps per epoch, 8 in all
  config.train.nonfinite_loss = experiments::NonFiniteLoss::kSkip;
  distributed::LocalCommunicator communicator;
  Trainer trainer(config, communicator);
  std::vector<torch::Tensor> before;
  for (const auto& p : trainer.model().parameters()) before.push_back(p.detach().clone());
  Recorder recorder;
  trainer.train(recorder);
  ASSERT_EQ(recorder.epochs.size(), 2u);
  for (const auto& report : recorder.epochs) {
    EXPECT_EQ(report.skipped_steps, 4);
    EXPECT_FALSE(report.grad_norm.has_value());
  }
  const auto after = trainer.model().parameters();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) EXPECT_TRUE(torch::equal(before[i], after[i])) << "parameter " << i;
}

TEST(NonFiniteLoss, SkipPolicyStopsAfterTooManySkipsInARow) {
  TempDataset dataset("nonfinite-limit", 400);
  dataset.set_train_price(all_train_rows(), kHuge);
  auto config = small_config(dataset.dir(), 5);  // 4 steps per epoch: step 11 is in epoch 3
  config.train.nonfinite_loss = experiments::NonFiniteLoss::kSkip;
  distributed::LocalCommunicator communicator;
  Trainer trainer(config, communicator);
  Recorder recorder;
  EXPECT_EQ(error_of(trainer, recorder),
            "non-finite loss (inf) in task 'price' at epoch 3 step 11 after 10 skipped steps in a row "
            "(train.nonfinite_loss: skip allows 10); lower optim.lr or check the data for extreme values");
  EXPECT_EQ(recorder.epochs.size(), 2u);
  EXPECT_EQ(kMaxConsecutiveSkippedSteps, 10);
}

TEST(NonFiniteLossPolicy, AFiniteStepResetsTheRun) {
  NonFiniteLossPolicy policy(experiments::NonFiniteLoss::kSkip);
  const auto describe = [] { return std::string("non-finite loss (nan) in task 't'"); };
  for (int round = 0; round < 3; ++round) {
    for (int64_t i = 0; i < kMaxConsecutiveSkippedSteps; ++i) EXPECT_TRUE(policy.skip_step(false, 1, i, describe));
    EXPECT_FALSE(policy.skip_step(true, 1, 99, describe));
  }
  EXPECT_EQ(policy.state().skipped_total, 3 * kMaxConsecutiveSkippedSteps);
  EXPECT_EQ(policy.state().consecutive, 0);
  policy.start_epoch();
  EXPECT_EQ(policy.state().skipped_in_epoch, 0);
}

}  // namespace
}  // namespace mmoe::trainer
