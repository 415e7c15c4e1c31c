// Data-parallel training under mpirun -np 2 and -np 3 (label mpi) against one process on the same
// data: every rank trains with batch B through the MPI communicator, and each rank also trains
// one process with batch W*B through the local communicator; the two must agree step by step.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "data/dataset_manifest.h"
#include "data/split_data.h"
#include "tests/distributed/mpi_world.h"
#include "tests/trainer/loop_test_util.h"
#include "trainer/evaluator.h"
#include "trainer/metric_reduction.h"
#include "trainer/model_factory.h"
#include "trainer/train_error.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {
namespace {

using distributed::LocalCommunicator;
using testing::Recorder;

// 1209 rows: 846 train rows (divisible by 2 and 3), 181 val rows (divisible by neither).
constexpr int64_t kRows = 1209;
constexpr int64_t kRankBatch = 32;

experiments::Config config_for(const std::filesystem::path& data, int64_t batch_size) {
  auto config = testing::small_config(data, 2);
  config.train.batch_size = batch_size;
  config.model.loss_weighting = experiments::LossWeighting::kUncertainty;  // the 1/W share of s_t
  config.optim.max_grad_norm = 1.0;  // clipping sees the reduced gradient
  return config;
}

torch::Tensor flat_parameters(models::MultiTaskModelImpl& model) {
  std::vector<torch::Tensor> flat;
  for (const auto& p : model.parameters()) flat.push_back(p.detach().reshape({-1}).to(torch::kDouble));
  return torch::cat(flat);
}

// Every rank's `value` equals rank 0's, bit for bit.
void expect_identical_on_every_rank(const torch::Tensor& value, distributed::Communicator& world, const char* what) {
  const auto gathered = world.all_gather(value.contiguous());
  for (int64_t r = 1; r < gathered.size(0); ++r) {
    EXPECT_TRUE(torch::equal(gathered[r], gathered[0])) << what << " differ between rank 0 and rank " << r;
  }
}

void expect_scores_near(const TaskScores& a, const TaskScores& b, double tolerance, const std::string& where) {
  const auto near = [&](const std::optional<double>& x, const std::optional<double>& y, const char* name) {
    ASSERT_EQ(x.has_value(), y.has_value()) << where << " " << name;
    if (x) {
      EXPECT_NEAR(*x, *y, tolerance) << where << " " << name;
    }
  };
  EXPECT_EQ(a.labelled_rows, b.labelled_rows) << where;
  near(a.loss, b.loss, "loss");
  near(a.accuracy, b.accuracy, "accuracy");
  near(a.macro_f1, b.macro_f1, "macro_f1");
  near(a.weighted_f1, b.weighted_f1, "weighted_f1");
  near(a.micro_f1, b.micro_f1, "micro_f1");
  near(a.samples_f1, b.samples_f1, "samples_f1");
  near(a.auc, b.auc, "auc");
  near(a.mae, b.mae, "mae");
  near(a.rmse, b.rmse, "rmse");
  near(a.r2, b.r2, "r2");
}

TEST(DataParallelTrainer, ReproducesOneProcessWithTheGlobalBatch) {
  auto world = distributed::testing::mpi_world();
  const int64_t w = world->world_size();
  const testing::TempDataset data("mpi-trainer-r" + std::to_string(world->rank()), kRows);

  Recorder distributed_steps;
  Trainer distributed_trainer(config_for(data.dir(), kRankBatch), *world);
  const auto distributed_summary = distributed_trainer.train(distributed_steps);

  LocalCommunicator local;
  Recorder single_steps;
  Trainer single_trainer(config_for(data.dir(), w * kRankBatch), local);
  const auto single_summary = single_trainer.train(single_steps);

  ASSERT_EQ(distributed_steps.steps.size(), single_steps.steps.size());
  ASSERT_GT(distributed_steps.steps.size(), 10u);
  for (size_t i = 0; i < single_steps.steps.size(); ++i) {
    const double expected = single_steps.steps[i].loss;
    EXPECT_NEAR(distributed_steps.steps[i].loss, expected, 1e-5 * std::max(1.0, std::abs(expected))) << "step " << i;
  }
  ASSERT_EQ(distributed_steps.epochs.size(), single_steps.epochs.size());
  for (size_t e = 0; e < single_steps.epochs.size(); ++e) {
    const auto& got = distributed_steps.epochs[e];
    const auto& want = single_steps.epochs[e];
    EXPECT_NEAR(got.train_loss, want.train_loss, 1e-5);
    EXPECT_NEAR(got.val_loss, want.val_loss, 1e-5);
    ASSERT_EQ(got.val.size(), want.val.size());
    for (size_t t = 0; t < want.val.size(); ++t) {
      expect_scores_near(got.val[t], want.val[t], 1e-5, "epoch " + std::to_string(e + 1) + " val task " + got.tasks[t]);
      expect_scores_near(got.train[t], want.train[t], 1e-5, "epoch " + std::to_string(e + 1) + " train task " + got.tasks[t]);
    }
    ASSERT_EQ(got.gates.size(), want.gates.size());
    for (size_t g = 0; g < want.gates.size(); ++g) {
      for (size_t k = 0; k < want.gates[g].utilization.size(); ++k) {
        EXPECT_NEAR(got.gates[g].utilization[k], want.gates[g].utilization[k], 1e-5);
      }
    }
  }
  EXPECT_EQ(distributed_summary.best_epoch, single_summary.best_epoch);
  EXPECT_NEAR(distributed_summary.best_value, single_summary.best_value, 1e-5);
  const auto distributed_weights = flat_parameters(distributed_trainer.model());
  EXPECT_TRUE(torch::allclose(distributed_weights, flat_parameters(single_trainer.model()), 1e-4, 1e-5));
  expect_identical_on_every_rank(distributed_weights, *world, "parameters");
}

TEST(DataParallelTrainer, RanksStayIdenticalWithBatchNormAndDropout) {
  auto world = distributed::testing::mpi_world();
  const testing::TempDataset data("mpi-trainer-bn-r" + std::to_string(world->rank()), kRows);
  auto config = config_for(data.dir(), kRankBatch);
  config.model.shared_layer.dim = 16;
  config.model.shared_layer.dropout = 0.2;
  config.model.expert_dropout = 0.1;
  Recorder steps;
  Trainer trainer(config, *world);
  trainer.train(steps);
  expect_identical_on_every_rank(flat_parameters(trainer.model()), *world, "parameters");
  std::vector<torch::Tensor> buffers;
  for (const auto& b : trainer.model().buffers()) buffers.push_back(b.reshape({-1}).to(torch::kDouble));
  expect_identical_on_every_rank(torch::cat(buffers), *world, "buffers (BatchNorm running statistics)");
  // Every rank made the same decisions from the same reduced metrics.
  std::vector<double> monitored;
  for (const auto& epoch : steps.epochs) monitored.push_back(epoch.monitor_value);
  expect_identical_on_every_rank(torch::tensor(monitored, torch::kDouble), *world, "monitored values");
}

TEST(DataParallelTrainer, EvaluationCountsEveryValRowOnceAndMatchesOneProcessExactly) {
  // 181 val rows: the ranks' parts are uneven; counts-based metrics must equal a single
  // process's on the same weights exactly, and AUC exactly (its scores are gathered).
  auto world = distributed::testing::mpi_world();
  const testing::TempDataset data("mpi-trainer-eval-r" + std::to_string(world->rank()), kRows);
  const auto config = config_for(data.dir(), kRankBatch);
  Recorder steps;
  Trainer trainer(config, *world);
  trainer.train(steps);

  const auto manifest = data::load_manifest(data.dir());
  const auto val = data::load_split(data.dir(), manifest, "val", select_tasks(config, manifest));
  ASSERT_EQ(val.rows(), 181);
  const auto single = evaluate_split(trainer.model(), val, 64, torch::kCPU);
  const auto& reported = steps.epochs.back().val;
  ASSERT_EQ(reported.size(), single.tasks.size());
  for (size_t t = 0; t < single.tasks.size(); ++t) {
    const auto& got = reported[t];
    const auto& want = single.tasks[t];
    EXPECT_EQ(got.labelled_rows, want.labelled_rows);
    EXPECT_EQ(got.accuracy, want.accuracy);
    EXPECT_EQ(got.macro_f1, want.macro_f1);
    EXPECT_EQ(got.weighted_f1, want.weighted_f1);
    EXPECT_EQ(got.micro_f1, want.micro_f1);
    EXPECT_EQ(got.samples_f1, want.samples_f1);
    EXPECT_EQ(got.auc, want.auc);
    ASSERT_EQ(got.loss.has_value(), want.loss.has_value());
    // The loss is a float32 mean per batch, and the batches differ: equal up to float rounding.
    if (want.loss) {
      EXPECT_NEAR(*got.loss, *want.loss, 1e-6 * std::max(1.0, std::abs(*want.loss)));
    }
    ASSERT_EQ(got.classes.size(), want.classes.size());
    for (size_t c = 0; c < want.classes.size(); ++c) EXPECT_EQ(got.classes[c].support, want.classes[c].support);
  }
}

TEST(DataParallelTrainer, AStopRequestedOnOneRankStopsEveryRankAfterTheSameStep) {
  auto world = distributed::testing::mpi_world();
  const testing::TempDataset data("mpi-trainer-stop-r" + std::to_string(world->rank()), kRows);
  std::atomic<bool> stop{false};

  // Rank 0's flag goes up during step 3; the others never see a signal.
  class StopAtStep final : public TrainingObserver {
   public:
    StopAtStep(std::atomic<bool>& flag, bool raise) : flag_(flag), raise_(raise) {}
    void on_step(const StepProgress& progress) override {
      last_step = progress.global_step;
      if (raise_ && progress.global_step == 3) flag_ = true;
    }
    void on_epoch(const EpochReport&) override {}
    void on_note(const std::string&) override {}
    int64_t last_step = 0;

   private:
    std::atomic<bool>& flag_;
    bool raise_;
  } observer(stop, world->rank() == 0);

  Trainer trainer(config_for(data.dir(), kRankBatch), *world, &stop);
  EXPECT_THROW(trainer.train(observer), TrainingInterrupted);
  // The flag rose after step 3's agreement, so step 4 agreed on it and step 5 never started.
  EXPECT_EQ(observer.last_step, 4);
  expect_identical_on_every_rank(torch::tensor({observer.last_step}, torch::kInt64), *world, "last steps");
}

TEST(MetricReduction, RanksTogetherGiveOneAccumulatorsMetricsExactly) {
  // Hand-made predictions of 101 rows (uneven over 2 and 3 ranks) for a 2-class task (AUC) and
  // a 3-label multilabel task; each rank adds its contiguous part, then all_reduce_metrics.
  auto world = distributed::testing::mpi_world();
  const int64_t n = 101;
  const auto generator = at::detail::createCPUGenerator(11);
  const auto logits2 = torch::randn({n, 2}, generator, torch::kFloat);
  auto labels2 = torch::randint(0, 2, {n}, generator, torch::kInt64);
  labels2.index_put_({torch::arange(0, n, 7)}, -1);  // some missing
  const auto logits3 = torch::randn({n, 3}, generator, torch::kFloat);
  auto labels3 = torch::randint(0, 2, {n, 3}, generator, torch::kFloat);
  labels3.index_put_({torch::arange(3, n, 11)}, std::numeric_limits<float>::quiet_NaN());  // missing rows

  models::TaskHeadSpec binary;
  binary.name = "binary";
  binary.type = TaskType::kMulticlass;
  binary.output_dim = 2;
  models::TaskHeadSpec multilabel;
  multilabel.name = "tags";
  multilabel.type = TaskType::kMultilabel;
  multilabel.output_dim = 3;

  const int64_t base = n / world->world_size();
  const int64_t extra = n % world->world_size();
  const int64_t r = world->rank();
  const int64_t begin = r * base + std::min(r, extra);
  const int64_t end = begin + base + (r < extra ? 1 : 0);

  std::vector<TaskMetricAccumulator> parts = {TaskMetricAccumulator(binary), TaskMetricAccumulator(multilabel)};
  parts[0].add_predictions(logits2.slice(0, begin, end), labels2.slice(0, begin, end));
  parts[1].add_predictions(logits3.slice(0, begin, end), labels3.slice(0, begin, end));
  parts[0].add_loss(0.25 * static_cast<double>(end - begin), static_cast<double>(end - begin));
  parts[1].add_loss(0.5 * static_cast<double>(end - begin), static_cast<double>(end - begin));
  all_reduce_metrics(parts, *world, torch::kCPU);

  TaskMetricAccumulator whole_binary(binary);
  TaskMetricAccumulator whole_multilabel(multilabel);
  whole_binary.add_predictions(logits2, labels2);
  whole_multilabel.add_predictions(logits3, labels3);
  const auto got_binary = parts[0].scores();
  const auto want_binary = whole_binary.scores();
  ASSERT_TRUE(want_binary.auc.has_value());
  EXPECT_EQ(got_binary.auc, want_binary.auc);
  EXPECT_EQ(got_binary.accuracy, want_binary.accuracy);
  EXPECT_EQ(got_binary.weighted_f1, want_binary.weighted_f1);
  EXPECT_EQ(got_binary.labelled_rows, want_binary.labelled_rows);
  EXPECT_NEAR(*got_binary.loss, 0.25, 1e-12);
  const auto got_tags = parts[1].scores();
  const auto want_tags = whole_multilabel.scores();
  EXPECT_EQ(got_tags.auc, want_tags.auc);
  EXPECT_EQ(got_tags.micro_f1, want_tags.micro_f1);
  EXPECT_EQ(got_tags.samples_f1, want_tags.samples_f1);
  EXPECT_EQ(got_tags.macro_f1, want_tags.macro_f1);
  EXPECT_NEAR(*got_tags.loss, 0.5, 1e-12);
}

}  // namespace
}  // namespace mmoe::trainer
