// Exact resume: training N epochs in one go and training k epochs, writing a checkpoint, and
// resuming from it in a fresh Trainer to N give bitwise equal epoch reports and parameters, for
// data.cache host and none, with dropout (so the RNG state matters) and the plateau scheduler
// reducing the learning rate. Also: the config check on resume, and a model that does not fit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <optional>

#include "data/synth_attributes.h"
#include "distributed/communicator.h"
#include "experiments/config_loader.h"
#include "models/model_spec_text.h"
#include "trainer/checkpoint.h"
#include "trainer/resume.h"
#include "trainer/train_error.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class Recorder final : public TrainingObserver {
 public:
  void on_epoch(const EpochReport& report) override { reports.push_back(report); }
  std::vector<EpochReport> reports;
};

void expect_same_scores(const TaskScores& a, const TaskScores& b, const std::string& what) {
  EXPECT_EQ(a.labelled_rows, b.labelled_rows) << what;
  EXPECT_EQ(a.loss, b.loss) << what;
  EXPECT_EQ(a.accuracy, b.accuracy) << what;
  EXPECT_EQ(a.weighted_f1, b.weighted_f1) << what;
  EXPECT_EQ(a.macro_f1, b.macro_f1) << what;
  EXPECT_EQ(a.mae, b.mae) << what;
  EXPECT_EQ(a.rmse, b.rmse) << what;
}

// Bitwise: EXPECT_EQ on doubles is exact.
void expect_same_epoch(const EpochReport& a, const EpochReport& b) {
  const std::string what = "epoch " + std::to_string(a.epoch);
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.global_step, b.global_step) << what;
  EXPECT_EQ(a.train_loss, b.train_loss) << what;
  EXPECT_EQ(a.val_loss, b.val_loss) << what;
  EXPECT_EQ(a.monitor_value, b.monitor_value) << what;
  EXPECT_EQ(a.is_best, b.is_best) << what;
  EXPECT_EQ(a.learning_rates, b.learning_rates) << what;
  ASSERT_EQ(a.val.size(), b.val.size());
  for (size_t t = 0; t < a.val.size(); ++t) {
    expect_same_scores(a.val[t], b.val[t], what + " val task " + std::to_string(t));
    expect_same_scores(a.train[t], b.train[t], what + " train task " + std::to_string(t));
  }
  ASSERT_EQ(a.gates.size(), b.gates.size());
  for (size_t g = 0; g < a.gates.size(); ++g) EXPECT_EQ(a.gates[g].utilization, b.gates[g].utilization) << what;
}

class ExactResume : public ::testing::TestWithParam<experiments::DataCache> {
 protected:
  static void SetUpTestSuite() {
    dataset_dir_ = new fs::path(fs::temp_directory_path() / ("mmoe-resume-test-" + std::to_string(getpid())));
    data::SynthAttributesOptions options;
    options.rows = 600;
    options.feature_dim = 12;
    options.seed = 4;
    options.rows_per_shard = 130;
    data::write_synth_attributes(*dataset_dir_, options);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dataset_dir_);
    delete dataset_dir_;
    dataset_dir_ = nullptr;
  }
  void SetUp() override {
    checkpoints_ = *dataset_dir_ / ("checkpoints-" + std::to_string(static_cast<int>(GetParam())));
  }

  experiments::Config config(int64_t epochs) const {
    experiments::Config c;
    c.data.dir = dataset_dir_->string();
    c.data.cache = GetParam();
    c.data.chunk_rows = 40;
    c.data.shuffle_window_chunks = 3;
    c.data.prefetch_batches = 2;
    c.train.epochs = epochs;
    c.train.batch_size = 48;
    c.train.seed = 11;
    c.train.device = experiments::Device::kCpu;
    c.train.num_threads = 1;
    c.train.monitor = experiments::MonitorSpec{experiments::MonitorMetric::kLoss, ""};
    c.model.num_experts = 3;
    c.model.expert_hidden = {16};
    c.model.tower_hidden = {8};
    c.model.expert_dropout = 0.3;
    c.model.tower_dropout = 0.2;
    c.model.gate.noisy = true;  // noise from the generator while training
    c.model.gate.top_k = 2;
    c.optim.lr = 0.02;
    // patience 0, threshold 0.5: every epoch that does not halve the loss reduces the lr.
    c.scheduler.patience = 0;
    c.scheduler.threshold = 0.5;
    c.scheduler.factor = 0.5;
    return c;
  }

  static fs::path* dataset_dir_;
  fs::path checkpoints_;
};

fs::path* ExactResume::dataset_dir_ = nullptr;

TEST_P(ExactResume, KEpochsThenResumeToNIsBitwiseEqualToNEpochs) {
  constexpr int64_t kN = 5;
  constexpr int64_t kK = 2;
  distributed::LocalCommunicator communicator;
  Recorder whole;
  Trainer uninterrupted(config(kN), communicator);
  uninterrupted.train(whole);
  ASSERT_EQ(whole.reports.size(), static_cast<size_t>(kN));
  // The scheduler must have acted for this test to cover its state.
  EXPECT_LT(whole.reports.back().learning_rates[0].second, 0.02);

  Recorder first;
  Trainer part(config(kK), communicator);
  part.train(first);
  Checkpoint checkpoint;
  checkpoint.info.run_id = "0123456789ab";
  checkpoint.config_yaml = experiments::to_yaml(config(kK));
  checkpoint.model_spec_text = models::model_spec_to_text(part.model_spec());
  checkpoint.state = part.capture_state();
  write_checkpoint(checkpoints_, CheckpointKind::kLast, checkpoint);
  torch::manual_seed(999);  // whatever happens in between must not matter

  const auto loaded = load_checkpoint(checkpoints_ / "last");
  Recorder second;
  Trainer resumed(config(kN), communicator);
  resumed.restore_state(loaded.state);
  const auto summary = resumed.train(second);
  ASSERT_EQ(second.reports.size(), static_cast<size_t>(kN - kK));
  for (int64_t e = 0; e < kK; ++e) expect_same_epoch(first.reports[e], whole.reports[e]);
  for (int64_t e = kK; e < kN; ++e) expect_same_epoch(second.reports[e - kK], whole.reports[e]);
  EXPECT_EQ(summary.epochs_run, kN);
  EXPECT_EQ(summary.best_epoch, uninterrupted.loop_counters().best_epoch);
  EXPECT_EQ(summary.best_value, uninterrupted.loop_counters().best_value);

  const auto a = uninterrupted.model().named_parameters(true);
  const auto b = resumed.model().named_parameters(true);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::equal(a[i].value(), b[i].value())) << a[i].key();
  }
  const auto abuf = uninterrupted.model().named_buffers(true);
  const auto bbuf = resumed.model().named_buffers(true);
  for (size_t i = 0; i < abuf.size(); ++i) EXPECT_TRUE(torch::equal(abuf[i].value(), bbuf[i].value())) << abuf[i].key();
}

// Raises the stop flag after global step `at` (as a signal handler would).
class StopAfterStep final : public TrainingObserver {
 public:
  StopAfterStep(std::atomic<bool>& flag, int64_t at) : flag_(flag), at_(at) {}
  void on_step(const StepProgress& progress) override {
    if (progress.global_step == at_) flag_ = true;
  }
  void on_epoch(const EpochReport& report) override { reports.push_back(report); }
  std::vector<EpochReport> reports;

 private:
  std::atomic<bool>& flag_;
  int64_t at_;
};

TEST_P(ExactResume, StoppedMidEpochTwiceAndResumedIsBitwiseEqualToNEpochs) {
  // 420 train rows, batch 48: 8 steps per epoch. Stops after step 3 (epoch 1) and step 13
  // (epoch 2, its 5th step); each time the checkpoint goes through disk and a fresh trainer.
  constexpr int64_t kN = 3;
  distributed::LocalCommunicator communicator;
  Recorder whole;
  Trainer uninterrupted(config(kN), communicator);
  uninterrupted.train(whole);

  std::vector<EpochReport> pieced;
  std::optional<TrainingState> state;
  for (const int64_t stop_at : {int64_t{3}, int64_t{13}}) {
    std::atomic<bool> stop{false};
    StopAfterStep observer(stop, stop_at);
    Trainer trainer(config(kN), communicator, &stop);
    if (state) trainer.restore_state(*state);
    EXPECT_THROW(trainer.train(observer), TrainingInterrupted);
    pieced.insert(pieced.end(), observer.reports.begin(), observer.reports.end());
    Checkpoint checkpoint;
    checkpoint.info.run_id = "0123456789ab";
    checkpoint.config_yaml = experiments::to_yaml(config(kN));
    checkpoint.model_spec_text = models::model_spec_to_text(trainer.model_spec());
    checkpoint.state = trainer.capture_state();
    EXPECT_EQ(checkpoint.state.partial.epoch, stop_at / 8 + 1);
    EXPECT_EQ(checkpoint.state.partial.next_batch, stop_at % 8);
    EXPECT_EQ(checkpoint.state.loop.global_step, stop_at);
    write_checkpoint(checkpoints_, CheckpointKind::kLast, checkpoint);
    torch::manual_seed(999);  // whatever happens in between must not matter
    state = load_checkpoint(checkpoints_ / "last").state;
    ASSERT_EQ(state->partial.metric_states.size(), checkpoint.state.partial.metric_states.size());
  }
  Recorder last;
  Trainer resumed(config(kN), communicator);
  resumed.restore_state(*state);
  resumed.train(last);
  pieced.insert(pieced.end(), last.reports.begin(), last.reports.end());

  ASSERT_EQ(pieced.size(), whole.reports.size());
  for (size_t e = 0; e < pieced.size(); ++e) expect_same_epoch(pieced[e], whole.reports[e]);
  const auto a = uninterrupted.model().named_parameters(true);
  const auto b = resumed.model().named_parameters(true);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i].value(), b[i].value())) << a[i].key();
}

TEST_P(ExactResume, AMidEpochCheckpointWithoutItsSumsGivesADifferentEpochReport) {
  // The counter-test: resuming the same position with the epoch's sums dropped changes the
  // stopped epoch's train metrics, so the test above depends on the partial-epoch state.
  distributed::LocalCommunicator communicator;
  Recorder whole;
  Trainer uninterrupted(config(1), communicator);
  uninterrupted.train(whole);
  std::atomic<bool> stop{false};
  StopAfterStep observer(stop, 4);
  Trainer part(config(1), communicator, &stop);
  EXPECT_THROW(part.train(observer), TrainingInterrupted);
  auto state = part.capture_state();
  for (auto& sums : state.partial.metric_states) std::fill(sums.begin(), sums.end(), 0.0);
  Recorder rest;
  Trainer resumed(config(1), communicator);
  resumed.restore_state(state);
  resumed.train(rest);
  ASSERT_EQ(rest.reports.size(), 1u);
  EXPECT_EQ(rest.reports[0].val_loss, whole.reports[0].val_loss);  // the model is the same
  EXPECT_NE(rest.reports[0].train[0].labelled_rows, whole.reports[0].train[0].labelled_rows);
}

TEST_P(ExactResume, WithoutTheGeneratorStateTheRunDiverges) {
  // The counter-test: the same resume with the RNG state of a fresh trainer differs, so the
  // test above depends on restoring it (dropout and noisy gates draw from the generator).
  distributed::LocalCommunicator communicator;
  Recorder whole;
  Trainer uninterrupted(config(3), communicator);
  uninterrupted.train(whole);
  Recorder first;
  Trainer part(config(1), communicator);
  part.train(first);
  auto state = part.capture_state();
  Trainer fresh(config(3), communicator);
  state.cpu_rng = fresh.capture_state().cpu_rng;
  Recorder second;
  fresh.restore_state(state);
  fresh.train(second);
  EXPECT_NE(second.reports.back().train_loss, whole.reports.back().train_loss);
}

INSTANTIATE_TEST_SUITE_P(DataCache, ExactResume,
                         ::testing::Values(experiments::DataCache::kHost, experiments::DataCache::kNone),
                         [](const auto& info) { return std::string(experiments::to_string(info.param)); });

TEST(ResumeConfig, NamesEveryDifferingKeyButLetsEpochsGrow) {
  const auto before = experiments::load_config_text("data: {dir: /d}\ntrain: {epochs: 4}\n", "a.yaml");
  const auto grown = experiments::load_config_text("data: {dir: /d}\ntrain: {epochs: 9}\n", "b.yaml");
  EXPECT_TRUE(config_differences(before.resolved_yaml, grown).empty());
  const auto changed = experiments::load_config_text(
      "data: {dir: /d}\ntrain: {epochs: 3}\nmodel: {num_experts: 2}\noptim: {lr: 0.5}\n", "c.yaml");
  EXPECT_EQ(config_differences(before.resolved_yaml, changed),
            (std::vector<std::string>{"model.num_experts (checkpoint: '8', now: '2')",
                                      "optim.lr (checkpoint: '0.001', now: '0.5')",
                                      "train.epochs (checkpoint: '4', now: '3')"}));
  Checkpoint checkpoint;
  checkpoint.info.dir = "/ckpt/last";
  checkpoint.config_yaml = before.resolved_yaml;
  try {
    check_resumable(checkpoint, changed);
    FAIL() << "expected CheckpointError";
  } catch (const CheckpointError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot resume from '/ckpt/last': the config differs from the checkpoint's in "
                                    "model.num_experts (checkpoint: '8', now: '2'); optim.lr"));
  }
}

TEST(ResumeConfig, AModelOfAnotherShapeIsRefusedNamingTheTensor) {
  const auto dir = fs::temp_directory_path() / ("mmoe-resume-shape-" + std::to_string(getpid()));
  data::SynthAttributesOptions options;
  options.rows = 200;
  options.feature_dim = 8;
  data::write_synth_attributes(dir, options);
  experiments::Config c;
  c.data.dir = dir.string();
  c.train.device = experiments::Device::kCpu;
  c.model.expert_hidden = {16};
  distributed::LocalCommunicator communicator;
  Trainer small(c, communicator);
  const auto state = small.capture_state();
  c.model.expert_hidden = {24};
  Trainer wide(c, communicator);
  try {
    wide.restore_state(state);
    FAIL() << "expected TrainError";
  } catch (const TrainError& e) {
    EXPECT_THAT(e.what(), HasSubstr("does not match the checkpoint's"));
    EXPECT_THAT(e.what(), HasSubstr("24]"));  // the model's shape
    EXPECT_THAT(e.what(), HasSubstr("16]"));  // the checkpoint's
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mmoe::trainer
