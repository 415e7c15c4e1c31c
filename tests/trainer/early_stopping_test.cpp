// Early stopping: hand-written monitor sequences (both directions, min_delta), and a run that
// stops, reports it and keeps its state for checkpoints.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "distributed/communicator.h"
#include "tests/trainer/loop_test_util.h"
#include "trainer/early_stopping.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {
namespace {

// The epoch after which `stopping` stops on `values` (epochs 1, 2, ...), or 0.
int64_t stop_epoch(EarlyStopping& stopping, const std::vector<double>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (stopping.should_stop(static_cast<int64_t>(i + 1), values[i])) return static_cast<int64_t>(i + 1);
  }
  return 0;
}

TEST(EarlyStopping, MaxModeNeedsMoreThanMinDelta) {
  EarlyStopping stopping(2, 0.01, /*maximize=*/true);
  // 0.5 best; 0.505 is not > 0.51 (bad 1); 0.52 improves (best 0.52); 0.529 bad 1; 0.53 is not
  // > 0.53 (bad 2): stop after epoch 5.
  EXPECT_EQ(stop_epoch(stopping, {0.5, 0.505, 0.52, 0.529, 0.53, 0.9}), 5);
  EXPECT_EQ(stopping.state().best, 0.52);
  EXPECT_EQ(stopping.state().best_epoch, 3);
  EXPECT_EQ(stopping.state().bad_epochs, 2);
  EXPECT_EQ(stopping.state().stopped_epoch, 5);
}

TEST(EarlyStopping, MinModeCountsConsecutiveBadEpochs) {
  EarlyStopping stopping(3, 0.0, /*maximize=*/false);
  // 1.0; 0.9 better; 0.9 bad 1; 0.95 bad 2; 0.8 better (reset); 0.8, 0.85, 0.81 bad 1, 2, 3.
  EXPECT_EQ(stop_epoch(stopping, {1.0, 0.9, 0.9, 0.95, 0.8, 0.8, 0.85, 0.81, 0.1}), 8);
  EXPECT_EQ(stopping.state().best, 0.8);
  EXPECT_EQ(stopping.state().best_epoch, 5);
}

TEST(EarlyStopping, PatienceZeroIsOffAndANanMonitorIsABadEpoch) {
  EarlyStopping off(0, 0.0, true);
  EXPECT_FALSE(off.enabled());
  EXPECT_EQ(stop_epoch(off, {0.5, 0.4, 0.3, 0.2, 0.1}), 0);
  EarlyStopping once(1, 0.0, false);
  EXPECT_EQ(stop_epoch(once, {1.0, std::nan("")}), 2);
}

TEST(EarlyStopping, StateRestoresMidway) {
  EarlyStopping first(2, 0.0, true);
  EXPECT_EQ(stop_epoch(first, {0.5, 0.4}), 0);
  EarlyStopping resumed(2, 0.0, true);
  resumed.load_state(first.state());
  EXPECT_TRUE(resumed.should_stop(3, 0.45));  // second bad epoch in a row
}

TEST(EarlyStoppingRun, StopsReportsAndSummarises) {
  testing::TempDataset dataset("early-stop", 800);
  auto config = testing::small_config(dataset.dir(), 6);
  config.train.monitor = experiments::MonitorSpec{experiments::MonitorMetric::kLoss, ""};
  config.train.early_stopping_patience = 2;
  config.train.early_stopping_min_delta = 1e6;  // no epoch after the first can improve by that
  distributed::LocalCommunicator communicator;
  Trainer trainer(config, communicator);
  testing::Recorder recorder;
  const auto summary = trainer.train(recorder);
  ASSERT_EQ(recorder.epochs.size(), 3u);
  EXPECT_FALSE(recorder.epochs[0].early_stop);
  EXPECT_FALSE(recorder.epochs[1].early_stop);
  EXPECT_TRUE(recorder.epochs[2].early_stop);
  EXPECT_TRUE(summary.stopped_early);
  EXPECT_EQ(summary.stopped_epoch, 3);
  EXPECT_EQ(summary.epochs_run, 3);
  EXPECT_EQ(summary.last.epoch, 3);
  const auto state = trainer.loop_state().early_stopping;
  EXPECT_EQ(state.best_epoch, 1);
  EXPECT_EQ(state.best, recorder.epochs[0].monitor_value);
  EXPECT_EQ(state.bad_epochs, 2);
  EXPECT_EQ(state.stopped_epoch, 3);
}

TEST(EarlyStoppingRun, OffRunsEveryEpoch) {
  testing::TempDataset dataset("early-stop-off", 400);
  auto config = testing::small_config(dataset.dir(), 3);
  config.train.early_stopping_min_delta = 1e6;  // ignored with patience 0
  distributed::LocalCommunicator communicator;
  Trainer trainer(config, communicator);
  testing::Recorder recorder;
  const auto summary = trainer.train(recorder);
  EXPECT_EQ(summary.epochs_run, 3);
  EXPECT_FALSE(summary.stopped_early);
  EXPECT_EQ(summary.stopped_epoch, 0);
}

}  // namespace
}  // namespace mmoe::trainer
