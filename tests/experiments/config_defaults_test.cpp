// Defaults, a file that sets every key, file loading and the shipped quickstart example.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "config_test_util.h"
#include "experiments/config_loader.h"

namespace mmoe::experiments {
namespace {

using testing::kMinimalYaml;
using testing::load;

TEST(ConfigDefaults, EveryKeyHasItsDocumentedDefault) {
  const Config c = load(kMinimalYaml).config;
  EXPECT_EQ(c.data.dir, "/data/fish");
  EXPECT_EQ(c.data.train_split, "train");
  EXPECT_EQ(c.data.val_split, "val");
  EXPECT_EQ(c.data.cache, DataCache::kHost);
  EXPECT_EQ(c.data.prefetch_batches, 4);
  EXPECT_EQ(c.data.shuffle_window_chunks, 8);
  EXPECT_EQ(c.data.chunk_rows, 4096);
  EXPECT_EQ(c.model.type, ModelType::kMmoe);
  EXPECT_EQ(c.model.num_experts, 8);
  EXPECT_EQ(c.model.expert_hidden, (std::vector<int64_t>{256, 128}));
  EXPECT_EQ(c.model.activation, Activation::kRelu);
  EXPECT_EQ(c.model.expert_dropout, 0.0);
  EXPECT_EQ(c.model.tower_hidden, (std::vector<int64_t>{64}));
  EXPECT_EQ(c.model.tower_dropout, 0.0);
  EXPECT_EQ(c.model.gate.temperature, 1.0);
  EXPECT_EQ(c.model.gate.top_k, 0);
  EXPECT_FALSE(c.model.gate.noisy);
  EXPECT_EQ(c.model.gate.load_balance_weight, 0.0);
  EXPECT_EQ(c.model.gate.collapse_threshold, 0.0);
  EXPECT_FALSE(c.model.standardize_features);
  EXPECT_EQ(c.model.shared_layer.dim, 0);
  EXPECT_EQ(c.model.shared_layer.dropout, 0.0);
  EXPECT_TRUE(c.model.bottom_hidden.empty());
  EXPECT_EQ(c.model.ple.levels, 1);
  EXPECT_EQ(c.model.ple.shared_experts, 2);
  EXPECT_EQ(c.model.ple.task_experts, 1);
  EXPECT_EQ(c.model.loss_weighting, LossWeighting::kFixed);
  EXPECT_EQ(c.model.param_budget, 0);
  EXPECT_TRUE(c.tasks.empty());
  EXPECT_EQ(c.optim.lr, 1e-3);
  EXPECT_EQ(c.optim.weight_decay, 1e-2);
  EXPECT_EQ(c.optim.beta1, 0.9);
  EXPECT_EQ(c.optim.beta2, 0.999);
  EXPECT_EQ(c.optim.eps, 1e-8);
  EXPECT_EQ(c.optim.max_grad_norm, 0.0);
  EXPECT_TRUE(c.optim.groups.empty());
  EXPECT_EQ(c.scheduler.type, SchedulerType::kReduceOnPlateau);
  EXPECT_EQ(c.scheduler.factor, 0.1);
  EXPECT_EQ(c.scheduler.patience, 10);
  EXPECT_EQ(c.scheduler.threshold, 1e-4);
  EXPECT_EQ(c.scheduler.threshold_mode, ThresholdMode::kRel);
  EXPECT_EQ(c.scheduler.cooldown, 0);
  EXPECT_EQ(c.scheduler.min_lr, 0.0);
  EXPECT_EQ(c.scheduler.eps, 1e-8);
  EXPECT_EQ(c.train.epochs, 10);
  EXPECT_EQ(c.train.batch_size, 256);
  EXPECT_EQ(c.train.eval_batch_size, 1024);
  EXPECT_EQ(c.train.seed, 0u);
  EXPECT_EQ(c.train.device, Device::kAuto);
  EXPECT_EQ(c.train.num_threads, 0);
  EXPECT_EQ(c.train.monitor, (MonitorSpec{MonitorMetric::kWeightedF1, ""}));
  EXPECT_EQ(c.train.monitor_mode, MonitorMode::kAuto);
  EXPECT_EQ(c.train.log_every_steps, 50);
  EXPECT_EQ(c.train.checkpoint_dir, "checkpoints");
  EXPECT_EQ(c.distributed.backend, DistributedBackend::kAuto);
  EXPECT_EQ(c.distributed.bucket_mb, 25.0);
  EXPECT_EQ(c.distributed.timeout_s, 300.0);
  EXPECT_EQ(c.tracking.store, "mmoe_runs.db");
  EXPECT_EQ(c.tracking.experiment, "default");
  EXPECT_EQ(c.tracking.run_name, "");
  EXPECT_TRUE(c.tracking.tags.empty());
}

const char* const kEveryKey = R"(
data:
  dir: /data/fashion
  train_split: trn
  val_split: dev
  cache: none
  prefetch_batches: 2
  shuffle_window_chunks: 16
  chunk_rows: 1024
model:
  type: single_task
  num_experts: 6
  expert_hidden: [512, 256, 64]
  activation: gelu
  expert_dropout: 0.25
  tower_hidden: []
  tower_dropout: 0.3
  gate:
    temperature: 0.5
    top_k: 2
    noisy: true
    load_balance_weight: 0.01
    collapse_threshold: 0.05
  standardize_features: true
  shared_layer: {dim: 384, dropout: 0.2}
  bottom_hidden: [128, 32]
  ple: {levels: 2, shared_experts: 3, task_experts: 4}
  loss_weighting: uncertainty
  param_budget: 250000
tasks:
  color: {weight: 2.0, label_smoothing: 0.1, class_weights: [1, 2.5, 0.5]}
  sleeve:
    weight: 0
    class_weights: balanced
  habitat: {pos_weight: [3, 0.25], class_weights: none}
  rare_tags: {pos_weight: balanced}
  trophic_level:
    loss: huber
    huber_delta: 0.5
    standardize_target: true
optim:
  lr: 3e-4
  weight_decay: 0.05
  betas: [0.8, 0.99]
  eps: 1.0e-6
  max_grad_norm: 1.5
  groups:
    experts: {lr: 1e-3, weight_decay: 0.0}
    gates: {lr: 0.01}
scheduler:
  type: none
  factor: 0.5
  patience: 3
  threshold: 0.01
  threshold_mode: abs
  cooldown: 2
  min_lr: 1e-6
  eps: 0
train:
  epochs: 40
  batch_size: 64
  eval_batch_size: 512
  seed: 18446744073709551615
  device: cuda
  num_threads: 4
  monitor: val_loss
  monitor_mode: max
  log_every_steps: 10
  checkpoint_dir: /scratch/ckpt
distributed:
  backend: nccl
  bucket_mb: 12.5
  timeout_s: 60
tracking:
  store: runs/fashion.db
  experiment: sweep-7
  run_name: trial 3
  tags: {owner: ana, purpose: "gate: temperature"}
)";

TEST(ConfigDefaults, AFileSetsEveryKey) {
  const Config c = load(kEveryKey).config;
  EXPECT_EQ(c.data.dir, "/data/fashion");
  EXPECT_EQ(c.data.train_split, "trn");
  EXPECT_EQ(c.data.val_split, "dev");
  EXPECT_EQ(c.data.cache, DataCache::kNone);
  EXPECT_EQ(c.data.prefetch_batches, 2);
  EXPECT_EQ(c.data.shuffle_window_chunks, 16);
  EXPECT_EQ(c.data.chunk_rows, 1024);
  EXPECT_EQ(c.model.type, ModelType::kSingleTask);
  EXPECT_EQ(c.model.num_experts, 6);
  EXPECT_EQ(c.model.expert_hidden, (std::vector<int64_t>{512, 256, 64}));
  EXPECT_EQ(c.model.activation, Activation::kGelu);
  EXPECT_EQ(c.model.expert_dropout, 0.25);
  EXPECT_TRUE(c.model.tower_hidden.empty());
  EXPECT_EQ(c.model.tower_dropout, 0.3);
  EXPECT_EQ(c.model.gate.temperature, 0.5);
  EXPECT_EQ(c.model.gate.top_k, 2);
  EXPECT_TRUE(c.model.gate.noisy);
  EXPECT_EQ(c.model.gate.load_balance_weight, 0.01);
  EXPECT_EQ(c.model.gate.collapse_threshold, 0.05);
  EXPECT_TRUE(c.model.standardize_features);
  EXPECT_EQ(c.model.shared_layer.dim, 384);
  EXPECT_EQ(c.model.shared_layer.dropout, 0.2);
  EXPECT_EQ(c.model.bottom_hidden, (std::vector<int64_t>{128, 32}));
  EXPECT_EQ(c.model.ple.levels, 2);
  EXPECT_EQ(c.model.ple.shared_experts, 3);
  EXPECT_EQ(c.model.ple.task_experts, 4);
  EXPECT_EQ(c.model.loss_weighting, LossWeighting::kUncertainty);
  EXPECT_EQ(c.model.param_budget, 250000);
  ASSERT_EQ(c.tasks.size(), 5u);
  const TaskConfig& color = c.tasks.at("color");
  EXPECT_EQ(color.weight, 2.0);
  EXPECT_EQ(color.label_smoothing, 0.1);
  EXPECT_EQ(color.class_weights.mode, LabelWeights::Mode::kExplicit);
  EXPECT_EQ(color.class_weights.values, (std::vector<double>{1.0, 2.5, 0.5}));
  EXPECT_EQ(color.pos_weight.mode, LabelWeights::Mode::kNone);
  const TaskConfig& sleeve = c.tasks.at("sleeve");
  EXPECT_EQ(sleeve.weight, 0.0);
  EXPECT_EQ(sleeve.label_smoothing, 0.0);
  EXPECT_EQ(sleeve.class_weights.mode, LabelWeights::Mode::kBalanced);
  EXPECT_TRUE(sleeve.class_weights.values.empty());
  const TaskConfig& habitat = c.tasks.at("habitat");
  EXPECT_EQ(habitat.class_weights.mode, LabelWeights::Mode::kNone);
  EXPECT_EQ(habitat.pos_weight.mode, LabelWeights::Mode::kExplicit);
  EXPECT_EQ(habitat.pos_weight.values, (std::vector<double>{3.0, 0.25}));
  EXPECT_EQ(c.tasks.at("rare_tags").pos_weight.mode, LabelWeights::Mode::kBalanced);
  const TaskConfig& trophic = c.tasks.at("trophic_level");
  EXPECT_EQ(trophic.loss, RegressionLossType::kHuber);
  EXPECT_EQ(trophic.huber_delta, 0.5);
  EXPECT_TRUE(trophic.standardize_target);
  EXPECT_EQ(color.loss, RegressionLossType::kMse);  // the task defaults
  EXPECT_EQ(color.huber_delta, 1.0);
  EXPECT_FALSE(color.standardize_target);
  EXPECT_EQ(c.optim.lr, 3e-4);
  EXPECT_EQ(c.optim.weight_decay, 0.05);
  EXPECT_EQ(c.optim.beta1, 0.8);
  EXPECT_EQ(c.optim.beta2, 0.99);
  EXPECT_EQ(c.optim.eps, 1e-6);
  EXPECT_EQ(c.optim.max_grad_norm, 1.5);
  ASSERT_EQ(c.optim.groups.size(), 2u);
  EXPECT_EQ(c.optim.groups.at(ParamGroup::kExperts).lr, std::optional<double>(1e-3));
  EXPECT_EQ(c.optim.groups.at(ParamGroup::kExperts).weight_decay, std::optional<double>(0.0));
  EXPECT_EQ(c.optim.groups.at(ParamGroup::kGates).lr, std::optional<double>(0.01));
  EXPECT_FALSE(c.optim.groups.at(ParamGroup::kGates).weight_decay.has_value());
  EXPECT_EQ(c.scheduler.type, SchedulerType::kNone);
  EXPECT_EQ(c.scheduler.factor, 0.5);
  EXPECT_EQ(c.scheduler.patience, 3);
  EXPECT_EQ(c.scheduler.threshold, 0.01);
  EXPECT_EQ(c.scheduler.threshold_mode, ThresholdMode::kAbs);
  EXPECT_EQ(c.scheduler.cooldown, 2);
  EXPECT_EQ(c.scheduler.min_lr, 1e-6);
  EXPECT_EQ(c.scheduler.eps, 0.0);
  EXPECT_EQ(c.train.epochs, 40);
  EXPECT_EQ(c.train.batch_size, 64);
  EXPECT_EQ(c.train.eval_batch_size, 512);
  EXPECT_EQ(c.train.seed, 18446744073709551615ull);
  EXPECT_EQ(c.train.device, Device::kCuda);
  EXPECT_EQ(c.train.num_threads, 4);
  EXPECT_EQ(c.train.monitor, (MonitorSpec{MonitorMetric::kLoss, ""}));
  EXPECT_EQ(c.train.monitor_mode, MonitorMode::kMax);
  EXPECT_EQ(c.train.log_every_steps, 10);
  EXPECT_EQ(c.train.checkpoint_dir, "/scratch/ckpt");
  EXPECT_EQ(c.distributed.backend, DistributedBackend::kNccl);
  EXPECT_EQ(c.distributed.bucket_mb, 12.5);
  EXPECT_EQ(c.distributed.timeout_s, 60.0);
  EXPECT_EQ(c.tracking.store, "runs/fashion.db");
  EXPECT_EQ(c.tracking.experiment, "sweep-7");
  EXPECT_EQ(c.tracking.run_name, "trial 3");
  EXPECT_EQ(c.tracking.tags, (std::map<std::string, std::string>{
                                 {"owner", "ana"}, {"purpose", "gate: temperature"}}));
}

TEST(ConfigDefaults, EmptyOrCommentOnlyFileIsAllDefaults) {
  const LoadedConfig empty = load("", {"data.dir=/d"});
  const LoadedConfig comments = load("# nothing set yet\n\n", {"data.dir=/d"});
  const LoadedConfig null_sections = load("model:\nscheduler:\ndata: {dir: /d}\n");
  EXPECT_EQ(empty.config.data.dir, "/d");
  EXPECT_EQ(empty.config.model.num_experts, 8);
  EXPECT_EQ(empty.resolved_yaml, comments.resolved_yaml);
  EXPECT_EQ(empty.resolved_yaml, null_sections.resolved_yaml);
}

TEST(ConfigDefaults, LoadsAFileAndNamesItInErrors) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "mmoe_experiments_test_config.yaml";
  {
    std::ofstream out(path);
    out << "data: {dir: /data/x}\nmodel:\n  num_experts: 0\n";
  }
  try {
    load_config_file(path);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()), path.string() + ": model.num_experts: must be >= 1 (got 0)");
  }
  const LoadedConfig loaded = load_config_file(path, {"model.num_experts=3"});
  EXPECT_EQ(loaded.config.data.dir, "/data/x");
  EXPECT_EQ(loaded.config.model.num_experts, 3);
  std::filesystem::remove(path);
}

TEST(ConfigDefaults, QuickstartExampleLoads) {
  const LoadedConfig loaded = load_config_file(MMOE_QUICKSTART_YAML);
  const Config& c = loaded.config;
  EXPECT_EQ(c.data.dir, "quickstart-data");
  EXPECT_EQ(c.model.num_experts, 4);
  EXPECT_EQ(c.model.expert_hidden, (std::vector<int64_t>{64, 32}));
  EXPECT_EQ(c.model.tower_hidden, (std::vector<int64_t>{32}));
  EXPECT_EQ(c.model.gate.temperature, 1.0);
  EXPECT_EQ(c.model.gate.top_k, 0);
  EXPECT_EQ(c.train.epochs, 8);
  EXPECT_EQ(c.train.batch_size, 128);
  EXPECT_EQ(c.optim.lr, 3e-3);
  EXPECT_EQ(c.scheduler.type, SchedulerType::kReduceOnPlateau);
  EXPECT_EQ(c.scheduler.patience, 2);
  EXPECT_EQ(c.tracking.store, "quickstart.db");
  EXPECT_EQ(c.tracking.experiment, "quickstart");
}

}  // namespace
}  // namespace mmoe::experiments
