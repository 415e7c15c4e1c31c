// The Trainer end to end on a tiny synthetic dataset (800 rows, 16 features) in one process:
// epochs reported in order, validation loss going down, best epoch consistent with the reports,
// bitwise reproducibility for a seed, bad input refused before training, and interruption.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "data/data_error.h"
#include "data/feature_statistics.h"
#include "data/split_data.h"
#include "data/synth_attributes.h"
#include "distributed/communicator.h"
#include "trainer/train_error.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {
namespace {

class EpochRecorder final : public TrainingObserver {
 public:
  void on_step(const StepProgress& progress) override { ++steps; }
  void on_epoch(const EpochReport& report) override { reports.push_back(report); }
  std::vector<EpochReport> reports;
  int steps = 0;
};

class TrainerLoopTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dataset_dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                             ("mmoe-trainer-test-" + std::to_string(getpid())));
    data::SynthAttributesOptions options;
    options.rows = 800;
    options.feature_dim = 16;
    options.seed = 0;
    data::write_synth_attributes(*dataset_dir_, options);
  }

  static void TearDownTestSuite() {
    std::error_code ignored;
    std::filesystem::remove_all(*dataset_dir_, ignored);
    delete dataset_dir_;
    dataset_dir_ = nullptr;
  }

  static experiments::Config small_config() {
    experiments::Config config;
    config.data.dir = dataset_dir_->string();
    config.train.epochs = 3;
    config.train.batch_size = 64;
    config.train.seed = 0;
    config.train.device = experiments::Device::kCpu;
    config.train.num_threads = 1;  // a shared 2-core machine; also keeps reductions in one order
    config.model.num_experts = 2;
    config.model.expert_hidden = {16};
    config.model.tower_hidden = {8};
    return config;
  }

  static std::filesystem::path* dataset_dir_;
};

std::filesystem::path* TrainerLoopTest::dataset_dir_ = nullptr;

TEST_F(TrainerLoopTest, ReportsEpochsInOrderAndLearns) {
  distributed::LocalCommunicator communicator;
  Trainer trainer(small_config(), communicator);
  EXPECT_EQ(trainer.monitor_name(), "val_weighted_f1");
  EpochRecorder recorder;
  const auto summary = trainer.train(recorder);

  ASSERT_EQ(recorder.reports.size(), 3u);
  EXPECT_GT(recorder.steps, 0);
  // 800 rows -> 560 train rows (70%); 560 / 64 -> 8 full batches (ragged tail dropped) per epoch.
  for (size_t i = 0; i < recorder.reports.size(); ++i) {
    const auto& report = recorder.reports[i];
    EXPECT_EQ(report.epoch, static_cast<int64_t>(i + 1));
    EXPECT_EQ(report.epochs, 3);
    EXPECT_EQ(report.global_step, 8 * static_cast<int64_t>(i + 1));
    EXPECT_EQ(report.monitor, "val_weighted_f1");
    EXPECT_EQ(report.tasks, (std::vector<std::string>{"category", "color", "style", "price"}));
    ASSERT_EQ(report.val.size(), 4u);
    ASSERT_EQ(report.train.size(), 4u);
    EXPECT_TRUE(std::isfinite(report.train_loss));
    EXPECT_TRUE(std::isfinite(report.val_loss));
    // The monitor is the mean validation weighted F1 over the classification tasks.
    ASSERT_TRUE(report.val[0].weighted_f1 && report.val[1].weighted_f1 && report.val[2].weighted_f1);
    EXPECT_FALSE(report.val[3].weighted_f1.has_value());
    EXPECT_TRUE(report.val[3].mae.has_value());
    const double mean_f1 =
        (*report.val[0].weighted_f1 + *report.val[1].weighted_f1 + *report.val[2].weighted_f1) / 3.0;
    EXPECT_NEAR(report.monitor_value, mean_f1, 1e-12);
    // Validation loss is the weighted sum of the tasks' losses (weights 1 here).
    double loss_sum = 0.0;
    for (const auto& task : report.val) loss_sum += task.loss.value_or(0.0);
    EXPECT_NEAR(report.val_loss, loss_sum, 1e-9);
    // No shared layer: experts, gates and towers, at the default lr (patience 10: no reduction).
    ASSERT_EQ(report.learning_rates.size(), 3u);
    for (const auto& [group, lr] : report.learning_rates) EXPECT_DOUBLE_EQ(lr, 1e-3) << group;
  }
  EXPECT_LT(recorder.reports.back().val_loss, recorder.reports.front().val_loss)
      << "val loss by epoch: " << recorder.reports[0].val_loss << ", " << recorder.reports[1].val_loss << ", "
      << recorder.reports[2].val_loss;

  // Best epoch: the first epoch reaching the highest monitor value; is_best marks new bests.
  EXPECT_EQ(summary.monitor, "val_weighted_f1");
  EXPECT_EQ(summary.epochs_run, 3);
  EXPECT_EQ(summary.last.epoch, 3);
  double best = recorder.reports.front().monitor_value;
  int64_t best_epoch = 1;
  EXPECT_TRUE(recorder.reports.front().is_best);
  for (size_t i = 1; i < recorder.reports.size(); ++i) {
    const auto& report = recorder.reports[i];
    EXPECT_EQ(report.is_best, report.monitor_value > best) << "epoch " << report.epoch;
    if (report.monitor_value > best) {
      best = report.monitor_value;
      best_epoch = report.epoch;
    }
  }
  EXPECT_EQ(summary.best_epoch, best_epoch);
  EXPECT_EQ(summary.best_value, best);
  EXPECT_EQ(summary.best_value, recorder.reports[static_cast<size_t>(best_epoch - 1)].monitor_value);
}

TEST_F(TrainerLoopTest, SameSeedGivesBitwiseIdenticalMetrics) {
  auto run = [] {
    distributed::LocalCommunicator communicator;
    Trainer trainer(small_config(), communicator);
    EpochRecorder recorder;
    return trainer.train(recorder);
  };
  const auto first = run();
  const auto second = run();
  EXPECT_EQ(first.last.train_loss, second.last.train_loss);
  EXPECT_EQ(first.last.val_loss, second.last.val_loss);
  EXPECT_EQ(first.best_value, second.best_value);
  EXPECT_EQ(first.best_epoch, second.best_epoch);
  ASSERT_EQ(first.last.val.size(), second.last.val.size());
  for (size_t t = 0; t < first.last.val.size(); ++t) {
    const auto& a = first.last.val[t];
    const auto& b = second.last.val[t];
    EXPECT_EQ(a.labelled_rows, b.labelled_rows) << first.last.tasks[t];
    EXPECT_EQ(a.loss, b.loss) << first.last.tasks[t];
    EXPECT_EQ(a.accuracy, b.accuracy) << first.last.tasks[t];
    EXPECT_EQ(a.macro_f1, b.macro_f1) << first.last.tasks[t];
    EXPECT_EQ(a.weighted_f1, b.weighted_f1) << first.last.tasks[t];
    EXPECT_EQ(a.micro_f1, b.micro_f1) << first.last.tasks[t];
    EXPECT_EQ(a.mae, b.mae) << first.last.tasks[t];
    EXPECT_EQ(a.rmse, b.rmse) << first.last.tasks[t];
  }
}

// The model standardises with the manifest's recorded train statistics; the dataset's own writer
// computed them from the stored features, so a fresh pass over the loaded split must agree.
TEST_F(TrainerLoopTest, StandardizationUsesTheTrainSplitStatistics) {
  auto config = small_config();
  config.model.standardize_features = true;
  distributed::LocalCommunicator communicator;
  Trainer trainer(config, communicator);
  const auto& recorded = trainer.manifest().feature_stats;
  ASSERT_TRUE(recorded.has_value());
  EXPECT_EQ(recorded->split, "train");
  const auto train = data::load_split(config.data.dir, trainer.manifest(), "train", trainer.manifest().tasks);
  const auto [mean, std] = data::feature_statistics(train.features);
  torch::Tensor model_mean, model_inv_std;
  for (const auto& buffer : trainer.model().named_buffers()) {
    if (buffer.key() == "input.feature_mean") model_mean = buffer.value();
    if (buffer.key() == "input.feature_inv_std") model_inv_std = buffer.value();
  }
  ASSERT_TRUE(model_mean.defined() && model_inv_std.defined());
  EXPECT_TRUE(torch::allclose(model_mean, mean, 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(model_inv_std, std.reciprocal(), 1e-5, 1e-6));
}

// standardize_target: the loss sees standardised targets, but the reported MAE / RMSE / R^2 are
// those of the model's outputs against the stored labels, in the dataset's units.
TEST_F(TrainerLoopTest, StandardizedTargetMetricsAreInTheOriginalUnits) {
  auto config = small_config();
  config.train.epochs = 1;
  for (const char* task : {"category", "color", "style", "price"}) config.tasks[task];  // every task, in dataset order
  config.tasks["price"].standardize_target = true;
  distributed::LocalCommunicator communicator;
  Trainer trainer(config, communicator);
  EpochRecorder recorder;
  trainer.train(recorder);
  const auto& tasks = trainer.manifest().tasks;
  const auto price = static_cast<size_t>(
      std::find_if(tasks.begin(), tasks.end(), [](const auto& t) { return t.name == "price"; }) - tasks.begin());
  const auto val = data::load_split(config.data.dir, trainer.manifest(), "val", tasks);
  auto& model = trainer.model();
  model.eval();
  torch::NoGradGuard no_grad;
  const auto out = model.forward(val.features).task_outputs[price].to(torch::kDouble);  // [N, 1]
  const auto y = val.labels[price].to(torch::kDouble);                                   // [N, 1], NaN = missing
  const auto labelled = y.isfinite().squeeze(1);
  const auto error = out.index({labelled}) - y.index({labelled});
  const double mae = error.abs().mean().item<double>();
  const double sst = (y.index({labelled}) - y.index({labelled}).mean()).square().sum().item<double>();
  const double r2 = 1.0 - error.square().sum().item<double>() / sst;
  const auto& scores = recorder.reports.back().val[price];
  ASSERT_TRUE(scores.mae.has_value() && scores.r2.has_value());
  EXPECT_NEAR(*scores.mae, mae, 1e-9 * std::max(1.0, mae));
  EXPECT_NEAR(*scores.r2, r2, 1e-9);
  // Not the standardised error: price has a standard deviation well away from 1.
  EXPECT_GT(std::abs(*scores.mae - mae / model.tasks()[price].target_std[0]), 1e-3);
}

TEST_F(TrainerLoopTest, OneTaskMonitorDrivesTheBestEpochAndMode) {
  auto config = small_config();
  config.train.monitor = {experiments::MonitorMetric::kRmse, "price"};
  distributed::LocalCommunicator communicator;
  Trainer trainer(config, communicator);
  EXPECT_EQ(trainer.monitor_name(), "val/price/rmse");
  EXPECT_STREQ(trainer.monitor_mode(), "min");
  EpochRecorder recorder;
  const auto summary = trainer.train(recorder);
  const auto price = static_cast<size_t>(std::find(recorder.reports[0].tasks.begin(), recorder.reports[0].tasks.end(),
                                                   "price") - recorder.reports[0].tasks.begin());
  double best = std::numeric_limits<double>::infinity();
  int64_t best_epoch = 0;
  for (const auto& report : recorder.reports) {
    EXPECT_EQ(report.monitor, "val/price/rmse");
    EXPECT_EQ(report.monitor_value, *report.val[price].rmse);
    EXPECT_EQ(report.is_best, report.monitor_value < best) << "epoch " << report.epoch;
    if (report.monitor_value < best) {
      best = report.monitor_value;
      best_epoch = report.epoch;
    }
  }
  EXPECT_EQ(summary.best_epoch, best_epoch);
  EXPECT_EQ(summary.best_value, best);
}

TEST_F(TrainerLoopTest, MonitorAndThresholdTheTasksCannotTakeAreRefusedBeforeLoading) {
  distributed::LocalCommunicator communicator;
  auto config = small_config();
  config.train.monitor = {experiments::MonitorMetric::kAuc, "color"};
  try {
    Trainer trainer(config, communicator);
    FAIL() << "expected a TrainError";
  } catch (const TrainError& e) {
    EXPECT_EQ(std::string(e.what()),
              "train.monitor: val/color/auc: 'color' is a multiclass task with 4 classes, which has no auc (its "
              "metrics: weighted_f1, loss, macro_f1, micro_f1, accuracy)");
  }
  config = small_config();
  config.tasks["color"].threshold = 0.3;
  try {
    Trainer trainer(config, communicator);
    FAIL() << "expected a TrainError";
  } catch (const TrainError& e) {
    EXPECT_EQ(std::string(e.what()), "tasks.color.threshold: only multilabel tasks take threshold; 'color' is multiclass");
  }
  config = small_config();
  config.tasks["style"].threshold = 0.3;  // multilabel: accepted
  EXPECT_NO_THROW(Trainer(config, communicator));
}

TEST_F(TrainerLoopTest, UnknownValidationSplitIsADataErrorBeforeTraining) {
  auto config = small_config();
  config.data.val_split = "nope";
  distributed::LocalCommunicator communicator;
  try {
    Trainer trainer(config, communicator);
    FAIL() << "expected a DataError from the constructor";
  } catch (const data::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
  }
}

TEST_F(TrainerLoopTest, StopFlagInterruptsTraining) {
  std::atomic<bool> stop{true};
  distributed::LocalCommunicator communicator;
  Trainer trainer(small_config(), communicator, &stop);
  EpochRecorder recorder;
  EXPECT_THROW(trainer.train(recorder), TrainingInterrupted);
  EXPECT_TRUE(recorder.reports.empty());
  EXPECT_EQ(recorder.steps, 0);
}

}  // namespace
}  // namespace mmoe::trainer
