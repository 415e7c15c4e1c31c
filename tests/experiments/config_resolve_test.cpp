// The resolved config: to_yaml text and round trip, hash, and flattened params.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "config_test_util.h"
#include "core/sha256.h"
#include "experiments/config_equal.h"
#include "experiments/config_loader.h"

namespace mmoe::experiments {
namespace {

using testing::kMinimalYaml;
using testing::load;
using testing::param;

const char* const kDefaultResolved =
    "data:\n  dir: /data/fish\n  train_split: train\n  val_split: val\n"
    "model:\n  type: mmoe\n  num_experts: 8\n  expert_hidden: [256, 128]\n  activation: relu\n"
    "  expert_dropout: 0\n  tower_hidden: [64]\n  gate_temperature: 1\n"
    "  shared_layer:\n    dim: 0\n    dropout: 0\n"
    "tasks: {}\n"
    "optim:\n  lr: 0.001\n  weight_decay: 0.01\n  betas: [0.9, 0.999]\n  eps: 1e-08\n"
    "  max_grad_norm: 0\n  groups: {}\n"
    "scheduler:\n  type: plateau\n  factor: 0.1\n  patience: 10\n  threshold: 0.0001\n"
    "  threshold_mode: rel\n  cooldown: 0\n  min_lr: 0\n  eps: 1e-08\n"
    "train:\n  epochs: 10\n  batch_size: 256\n  eval_batch_size: 1024\n  seed: 0\n"
    "  device: auto\n  num_threads: 0\n  monitor: val_weighted_f1\n  log_every_steps: 50\n"
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
  c.model.activation = Activation::kTanh;
  c.model.expert_hidden = {7};
  c.model.tower_hidden = {};
  c.model.expert_dropout = 1.0 / 3.0;
  c.model.gate_temperature = 0.1 + 0.2;  // 0.30000000000000004
  c.model.shared_layer = {12, 5e-324};   // the smallest subnormal
  c.tasks["color"] = {2.5, 0.1};
  c.tasks["null"] = {0.0, 0.0};
  c.tasks["trophic-level"] = {1e-300, 0.0};
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
  c.train.monitor = Monitor::kValLoss;
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
  EXPECT_EQ(loaded.config.model.gate_temperature, 0.1 + 0.2);
  EXPECT_EQ(loaded.config.tracking.run_name, original.tracking.run_name);
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
      "data.dir", "data.train_split", "data.val_split",
      "distributed.backend", "distributed.bucket_mb", "distributed.timeout_s",
      "model.activation", "model.expert_dropout", "model.expert_hidden",
      "model.gate_temperature", "model.num_experts", "model.shared_layer.dim",
      "model.shared_layer.dropout", "model.tower_hidden", "model.type",
      "optim.betas", "optim.eps", "optim.lr", "optim.max_grad_norm", "optim.weight_decay",
      "scheduler.cooldown", "scheduler.eps", "scheduler.factor", "scheduler.min_lr",
      "scheduler.patience", "scheduler.threshold", "scheduler.threshold_mode",
      "scheduler.type",
      "tracking.experiment", "tracking.run_name", "tracking.store",
      "train.batch_size", "train.device", "train.epochs", "train.eval_batch_size",
      "train.log_every_steps", "train.monitor", "train.num_threads", "train.seed"};
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(param(loaded, "model.num_experts"), "8");
  EXPECT_EQ(param(loaded, "model.expert_hidden"), "[256, 128]");
  EXPECT_EQ(param(loaded, "model.tower_hidden"), "[64]");
  EXPECT_EQ(param(loaded, "optim.betas"), "[0.9, 0.999]");
  EXPECT_EQ(param(loaded, "optim.eps"), "1e-08");
  EXPECT_EQ(param(loaded, "optim.lr"), "0.001");
  EXPECT_EQ(param(loaded, "scheduler.type"), "plateau");
  EXPECT_EQ(param(loaded, "train.monitor"), "val_weighted_f1");
  EXPECT_EQ(param(loaded, "tracking.run_name"), "");
  EXPECT_EQ(param(loaded, "data.dir"), "/data/fish");
}

TEST(ConfigResolve, ParamsFlattenTasksGroupsAndTags) {
  const LoadedConfig loaded = load(
      "data: {dir: /d}\nmodel: {tower_hidden: []}\n"
      "tasks: {color: {weight: 2.0}, family: {label_smoothing: 0.05}}\n"
      "optim: {groups: {experts: {lr: 1e-3}}}\n"
      "tracking: {run_name: 'run: 1', tags: {owner: ana, note: \"x, y\"}}\n");
  EXPECT_EQ(param(loaded, "tasks.color.weight"), "2");
  EXPECT_EQ(param(loaded, "tasks.color.label_smoothing"), "0");
  EXPECT_EQ(param(loaded, "tasks.family.weight"), "1");
  EXPECT_EQ(param(loaded, "tasks.family.label_smoothing"), "0.05");
  EXPECT_EQ(param(loaded, "optim.groups.experts.lr"), "0.001");
  EXPECT_EQ(param(loaded, "optim.groups.experts.weight_decay"), "<absent>");
  EXPECT_EQ(param(loaded, "tracking.tags.owner"), "ana");
  EXPECT_EQ(param(loaded, "tracking.tags.note"), "x, y");
  EXPECT_EQ(param(loaded, "tracking.run_name"), "run: 1");
  EXPECT_EQ(param(loaded, "model.tower_hidden"), "[]");
  EXPECT_EQ(param(loaded, "tasks"), "<absent>");
  EXPECT_EQ(loaded.params.size(), 39u + 4u + 1u + 2u);
  for (std::size_t i = 1; i < loaded.params.size(); ++i) {
    EXPECT_LT(loaded.params[i - 1].first, loaded.params[i].first);
  }
}

}  // namespace
}  // namespace mmoe::experiments
