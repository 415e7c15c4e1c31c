// The resolved config: to_yaml text and round trip, hash, and flattened params.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "config_test_util.h"
#include "core/sha256.h"
#include "experiments/config_enums.h"
#include "experiments/config_equal.h"
#include "experiments/config_loader.h"

namespace mmoe::experiments {
namespace {

using testing::kMinimalYaml;
using testing::load;
using testing::param;

const char* const kDefaultResolved =
    "data:\n  dir: /data/fish\n  train_split: train\n  val_split: val\n  cache: host\n  prefetch_batches: 4\n"
    "  shuffle_window_chunks: 8\n  chunk_rows: 4096\n  nonfinite_features: error\n"
    "model:\n  type: mmoe\n  num_experts: 8\n  expert_hidden: [256, 128]\n  activation: relu\n"
    "  expert_dropout: 0\n  tower_hidden: [64]\n  tower_dropout: 0\n"
    "  gate:\n    temperature: 1\n    top_k: 0\n    noisy: false\n"
    "    load_balance_weight: 0\n    collapse_threshold: 0\n"
    "  standardize_features: false\n"
    "  shared_layer:\n    dim: 0\n    dropout: 0\n"
    "  bottom_hidden: []\n"
    "  ple:\n    levels: 1\n    shared_experts: 2\n    task_experts: 1\n"
    "  loss_weighting: fixed\n  param_budget: 0\n"
    "tasks: {}\n"
    "optim:\n  lr: 0.001\n  weight_decay: 0.01\n  betas: [0.9, 0.999]\n  eps: 1e-08\n"
    "  max_grad_norm: 0\n  groups: {}\n"
    "scheduler:\n  type: plateau\n  factor: 0.1\n  patience: 10\n  threshold: 0.0001\n"
    "  threshold_mode: rel\n  cooldown: 0\n  min_lr: 0\n  eps: 1e-08\n"
    "  warmup_steps: 0\n  warmup_epochs: 0\n  warmup_start_factor: 0\n"
    "train:\n  epochs: 10\n  batch_size: 256\n  eval_batch_size: 1024\n  seed: 0\n"
    "  device: auto\n  num_threads: 0\n  monitor: val_weighted_f1\n  monitor_mode: auto\n"
    "  log_every_steps: 50\n"
    "  early_stopping_patience: 0\n  early_stopping_min_delta: 0\n  nonfinite_loss: error\n"
    "  progress: auto\n  amp: none\n  checkpoint_dir: checkpoints\n"
    "distributed:\n  backend: auto\n  bucket_mb: 25\n  timeout_s: 300\n"
    "tracking:\n  store: mmoe_runs.db\n  experiment: default\n  run_name: \"\"\n  tags: {}\n";

TEST(ConfigResolve, DefaultsResolveToEveryKeyInStructOrder) {
  const LoadedConfig loaded = load(kMinimalYaml);
  EXPECT_EQ(loaded.resolved_yaml, kDefaultResolved);
  EXPECT_EQ(loaded.hash, sha256_hex(kDefaultResolved));
  EXPECT_EQ(loaded.hash.size(), 64u);
}

Config awkward_config() {
  Config c;
  c.data.dir = "/data/with space/and: colon";
  c.data.train_split = "123";
  c.data.val_split = "yes";
  c.data.cache = DataCache::kNone;
  c.data.prefetch_batches = 1;
  c.data.shuffle_window_chunks = 123;
  c.data.chunk_rows = 7;
  c.model.type = ModelType::kSingleTask;
  c.model.num_experts = 2;
  c.model.activation = Activation::kTanh;
  c.model.expert_hidden = {7};
  c.model.tower_hidden = {};
  c.model.expert_dropout = 1.0 / 3.0;
  c.model.tower_dropout = 0.7;
  c.model.gate.temperature = 0.1 + 0.2;  // 0.30000000000000004
  c.model.gate.top_k = 5;                 // more than num_experts: no bound for single_task
  c.model.gate.noisy = true;
  c.model.gate.load_balance_weight = 1e-2;
  c.model.gate.collapse_threshold = std::nextafter(1.0, 0.0);
  c.model.standardize_features = true;
  c.model.shared_layer = {12, 5e-324};   // the smallest subnormal
  c.model.bottom_hidden = {3, 1};
  c.model.ple = {4, 5, 6};
  c.model.loss_weighting = LossWeighting::kUncertainty;
  c.model.param_budget = std::numeric_limits<int64_t>::max();
  TaskConfig& color = c.tasks["color"];
  color.weight = 2.5;
  color.label_smoothing = 0.1;
  color.class_weights = {LabelWeights::Mode::kExplicit, {0.1 + 0.2, 1e-300, 2.0}};
  color.pos_weight = {LabelWeights::Mode::kBalanced, {}};
  TaskConfig& null_task = c.tasks["null"];
  null_task.weight = 0.0;
  null_task.class_weights = {LabelWeights::Mode::kBalanced, {}};
  null_task.pos_weight = {LabelWeights::Mode::kExplicit, {5e-324}};
  TaskConfig& trophic = c.tasks["trophic-level"];
  trophic.weight = 1e-300;
  trophic.loss = RegressionLossType::kHuber;
  trophic.huber_delta = 1.0 / 3.0;
  trophic.standardize_target = true;
  null_task.threshold = 0.1 + 0.2;
  c.optim.lr = 123456789.123456789;
  c.optim.beta1 = 0.0;
  c.optim.beta2 = std::nextafter(1.0, 0.0);
  c.optim.groups[ParamGroup::kExperts] = {1e-3, std::nullopt};
  c.optim.groups[ParamGroup::kGates] = {std::nullopt, 0.0};
  c.optim.groups[ParamGroup::kTowers] = {};
  c.scheduler.type = SchedulerType::kNone;
  c.scheduler.threshold_mode = ThresholdMode::kAbs;
  c.train.seed = std::numeric_limits<uint64_t>::max();
  c.train.device = Device::kCuda;
  c.train.monitor = MonitorSpec{MonitorMetric::kMacroF1, "trophic-level"};
  c.train.monitor_mode = MonitorMode::kMin;
  c.scheduler.warmup_epochs = 3;
  c.scheduler.warmup_start_factor = 1.0 / 3.0;
  c.train.early_stopping_patience = 4;
  c.train.early_stopping_min_delta = 1e-300;
  c.train.nonfinite_loss = NonFiniteLoss::kSkip;
  c.train.progress = ProgressMode::kNone;
  c.train.amp = AmpMode::kBf16;
  c.distributed.backend = DistributedBackend::kMpi;
  c.distributed.bucket_mb = 0.5;
  c.tracking.run_name = "quote\" back\\slash\ttab\nnewline \x01 Ωmega";
  c.tracking.tags = {{"owner", "ana"}, {"empty", ""}, {"~", "null"}, {"-dash", "#hash"}};
  return c;
}

TEST(ConfigResolve, ToYamlRoundTripsExactly) {
  const Config original = awkward_config();
  const std::string yaml = to_yaml(original);
  const LoadedConfig loaded = load(yaml);
  EXPECT_TRUE(loaded.config == original) << yaml;
  EXPECT_EQ(loaded.resolved_yaml, yaml);
  EXPECT_EQ(loaded.config.model.shared_layer.dropout, 5e-324);
  EXPECT_EQ(loaded.config.model.gate.temperature, 0.1 + 0.2);
  EXPECT_EQ(loaded.config.model.param_budget, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(loaded.config.tasks.at("null").pos_weight.values, std::vector<double>{5e-324});
  EXPECT_EQ(loaded.config.tracking.run_name, original.tracking.run_name);
  // The new keys as written (the whole text is compared by the round trip above).
  for (const char* line :
       {"\n  tower_dropout: 0.7\n", "\n    top_k: 5\n    noisy: true\n",
        "\n    collapse_threshold: 0.9999999999999999\n", "\n  standardize_features: true\n",
        "\n  bottom_hidden: [3, 1]\n",
        "\n  cache: none\n  prefetch_batches: 1\n  shuffle_window_chunks: 123\n  chunk_rows: 7\n",
        "\n  ple:\n    levels: 4\n    shared_experts: 5\n    task_experts: 6\n",
        "\n  loss_weighting: uncertainty\n  param_budget: 9223372036854775807\n",
        "\n    class_weights: [0.30000000000000004, 1e-300, 2]\n    pos_weight: balanced\n",
        "\n    class_weights: balanced\n    pos_weight: [5e-324]\n",
        "\n    loss: huber\n    huber_delta: 0.3333333333333333\n"
        "    standardize_target: true\n"}) {
    EXPECT_NE(yaml.find(line), std::string::npos) << line << "\nin:\n" << yaml;
  }
}

TEST(ConfigResolve, EveryChoiceRoundTrips) {
  for (ModelType type : all_values<ModelType>()) {
    for (LossWeighting weighting : all_values<LossWeighting>()) {
      Config c;
      c.data.dir = "/d";
      c.model.type = type;
      c.model.loss_weighting = weighting;
      for (RegressionLossType loss : all_values<RegressionLossType>()) {
        c.tasks[to_string(loss)].loss = loss;
      }
      const LoadedConfig loaded = load(to_yaml(c));
      EXPECT_TRUE(loaded.config == c) << loaded.resolved_yaml;
    }
  }
}

TEST(ConfigResolve, EveryKeyFileRoundTrips) {
  const LoadedConfig first = load(
      "data: {dir: d}\nmodel: {num_experts: 3, shared_layer: {dim: 9, dropout: 0.1}}\n"
      "tasks: {a: {weight: 0.7}}\noptim: {groups: {shared: {lr: 0.2, weight_decay: 0.3}}}\n"
      "tracking: {tags: {k: v}}\n");
  const LoadedConfig second = load(first.resolved_yaml);
  EXPECT_TRUE(first.config == second.config);
  EXPECT_EQ(first.resolved_yaml, second.resolved_yaml);
  EXPECT_EQ(first.hash, second.hash);
}

TEST(ConfigResolve, HashIgnoresFormattingButNotValues) {
  const LoadedConfig block = load("data:\n  dir: /d\noptim:\n  lr: 0.001  # default\n");
  const LoadedConfig flow = load("{optim: {lr: 1e-3}, data: {dir: \"/d\"}}");
  const LoadedConfig via_override = load("data: {dir: /d}\n", {"optim.lr=1.0e-3"});
  EXPECT_EQ(block.hash, flow.hash);
  EXPECT_EQ(block.hash, via_override.hash);
  const LoadedConfig changed = load("data: {dir: /d}\noptim: {lr: 0.0011}\n");
  const LoadedConfig tagged = load("data: {dir: /d}\ntracking: {tags: {a: b}}\n");
  EXPECT_NE(block.hash, changed.hash);
  EXPECT_NE(block.hash, tagged.hash);
  EXPECT_NE(changed.hash, tagged.hash);
}

TEST(ConfigResolve, ParamsOfTheDefaultsListEveryKeySorted) {
  const LoadedConfig loaded = load(kMinimalYaml);
  std::vector<std::string> keys;
  for (const auto& entry : loaded.params) keys.push_back(entry.first);
  const std::vector<std::string> expected = {
      "data.cache", "data.chunk_rows", "data.dir", "data.nonfinite_features", "data.prefetch_batches",
      "data.shuffle_window_chunks", "data.train_split", "data.val_split",
      "distributed.backend", "distributed.bucket_mb", "distributed.timeout_s",
      "model.activation", "model.bottom_hidden", "model.expert_dropout", "model.expert_hidden",
      "model.gate.collapse_threshold", "model.gate.load_balance_weight", "model.gate.noisy",
      "model.gate.temperature", "model.gate.top_k", "model.loss_weighting", "model.num_experts",
      "model.param_budget", "model.ple.levels", "model.ple.shared_experts",
      "model.ple.task_experts", "model.shared_layer.dim", "model.shared_layer.dropout",
      "model.standardize_features", "model.tower_dropout", "model.tower_hidden", "model.type",
      "optim.betas", "optim.eps", "optim.lr", "optim.max_grad_norm", "optim.weight_decay",
      "scheduler.cooldown", "scheduler.eps", "scheduler.factor", "scheduler.min_lr",
      "scheduler.patience", "scheduler.threshold", "scheduler.threshold_mode",
      "scheduler.type", "scheduler.warmup_epochs", "scheduler.warmup_start_factor", "scheduler.warmup_steps",
      "tracking.experiment", "tracking.run_name", "tracking.store",
      "train.amp", "train.batch_size", "train.checkpoint_dir", "train.device", "train.early_stopping_min_delta",
      "train.early_stopping_patience", "train.epochs", "train.eval_batch_size",
      "train.log_every_steps", "train.monitor", "train.monitor_mode", "train.nonfinite_loss", "train.num_threads",
      "train.progress", "train.seed"};
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(param(loaded, "model.num_experts"), "8");
  EXPECT_EQ(param(loaded, "model.expert_hidden"), "[256, 128]");
  EXPECT_EQ(param(loaded, "model.tower_hidden"), "[64]");
  EXPECT_EQ(param(loaded, "model.gate.temperature"), "1");
  EXPECT_EQ(param(loaded, "model.gate.noisy"), "false");
  EXPECT_EQ(param(loaded, "model.bottom_hidden"), "[]");
  EXPECT_EQ(param(loaded, "model.loss_weighting"), "fixed");
  EXPECT_EQ(param(loaded, "model.ple.shared_experts"), "2");
  EXPECT_EQ(param(loaded, "optim.betas"), "[0.9, 0.999]");
  EXPECT_EQ(param(loaded, "optim.eps"), "1e-08");
  EXPECT_EQ(param(loaded, "optim.lr"), "0.001");
  EXPECT_EQ(param(loaded, "scheduler.type"), "plateau");
  EXPECT_EQ(param(loaded, "train.monitor"), "val_weighted_f1");
  EXPECT_EQ(param(loaded, "train.monitor_mode"), "auto");
  EXPECT_EQ(param(loaded, "tracking.run_name"), "");
  EXPECT_EQ(param(loaded, "data.dir"), "/data/fish");
  EXPECT_EQ(param(loaded, "data.cache"), "host");
  EXPECT_EQ(param(loaded, "data.prefetch_batches"), "4");
}

TEST(ConfigResolve, ParamsFlattenTasksGroupsAndTags) {
  const LoadedConfig loaded = load(
      "data: {dir: /d}\nmodel: {tower_hidden: []}\n"
      "tasks: {color: {weight: 2.0, class_weights: [1, 2.5]}, family: {label_smoothing: 0.05,\n"
      "        class_weights: balanced, loss: huber, standardize_target: true}}\n"
      "optim: {groups: {experts: {lr: 1e-3}}}\n"
      "tracking: {run_name: 'run: 1', tags: {owner: ana, note: \"x, y\"}}\n");
  EXPECT_EQ(param(loaded, "tasks.color.weight"), "2");
  EXPECT_EQ(param(loaded, "tasks.color.label_smoothing"), "0");
  EXPECT_EQ(param(loaded, "tasks.family.weight"), "1");
  EXPECT_EQ(param(loaded, "tasks.family.label_smoothing"), "0.05");
  EXPECT_EQ(param(loaded, "tasks.color.class_weights"), "[1, 2.5]");
  EXPECT_EQ(param(loaded, "tasks.color.pos_weight"), "none");
  EXPECT_EQ(param(loaded, "tasks.color.loss"), "mse");
  EXPECT_EQ(param(loaded, "tasks.color.huber_delta"), "1");
  EXPECT_EQ(param(loaded, "tasks.color.standardize_target"), "false");
  EXPECT_EQ(param(loaded, "tasks.color.threshold"), "0.5");
  EXPECT_EQ(param(loaded, "tasks.family.class_weights"), "balanced");
  EXPECT_EQ(param(loaded, "tasks.family.loss"), "huber");
  EXPECT_EQ(param(loaded, "tasks.family.standardize_target"), "true");
  EXPECT_EQ(param(loaded, "optim.groups.experts.lr"), "0.001");
  EXPECT_EQ(param(loaded, "optim.groups.experts.weight_decay"), "<absent>");
  EXPECT_EQ(param(loaded, "tracking.tags.owner"), "ana");
  EXPECT_EQ(param(loaded, "tracking.tags.note"), "x, y");
  EXPECT_EQ(param(loaded, "tracking.run_name"), "run: 1");
  EXPECT_EQ(param(loaded, "model.tower_hidden"), "[]");
  EXPECT_EQ(param(loaded, "tasks"), "<absent>");
  EXPECT_EQ(loaded.params.size(), 66u + 2u * 8u + 1u + 2u);  // 66 non-map keys of the defaults
  for (std::size_t i = 1; i < loaded.params.size(); ++i) {
    EXPECT_LT(loaded.params[i - 1].first, loaded.params[i].first);
  }
}

}  // namespace
}  // namespace mmoe::experiments
