// Value ranges (every bound of config.h) and how scalars are read.
#include <cctype>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "config_test_util.h"
#include "experiments/config_loader.h"

namespace mmoe::experiments {
namespace {

using testing::error_of;
using testing::load;

struct RangeCase {
  const char* yaml;      // after "data: {dir: /d}\n"
  const char* expected;  // the whole message
};

// A stable, shell-friendly name for CTest: "model: {num_experts: 0}" -> "model_num_experts_0".
std::ostream& operator<<(std::ostream& out, const RangeCase& range_case) {
  std::string name;
  for (const char* c = range_case.yaml; *c != '\0'; ++c) {
    const bool keep = std::isalnum(static_cast<unsigned char>(*c)) || *c == '.' || *c == '-';
    if (keep) {
      name += *c;
    } else if (!name.empty() && name.back() != '_') {
      name += '_';
    }
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  return out << name;
}

class ConfigRange : public ::testing::TestWithParam<RangeCase> {};

TEST_P(ConfigRange, RejectsTheValueWithItsBound) {
  EXPECT_EQ(error_of(std::string("data: {dir: /d}\n") + GetParam().yaml), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    EveryBound, ConfigRange,
    ::testing::Values(
        RangeCase{"model: {num_experts: 0}",
                  "cfg.yaml: model.num_experts: must be >= 1 (got 0)"},
        RangeCase{"model: {expert_hidden: []}",
                  "cfg.yaml: model.expert_hidden: must list at least one layer width (got []); "
                  "the last width is the expert output, e.g. [256, 128]"},
        RangeCase{"model: {expert_hidden: [64, 0]}",
                  "cfg.yaml: model.expert_hidden: every layer width must be >= 1 (got [64, 0])"},
        RangeCase{"model: {tower_hidden: [-3]}",
                  "cfg.yaml: model.tower_hidden: every layer width must be >= 1 (got [-3])"},
        RangeCase{"model: {expert_dropout: 1}",
                  "cfg.yaml: model.expert_dropout: must be in [0, 1) (got 1)"},
        RangeCase{"model: {expert_dropout: -0.1}",
                  "cfg.yaml: model.expert_dropout: must be in [0, 1) (got -0.1)"},
        RangeCase{"model: {tower_dropout: 1}",
                  "cfg.yaml: model.tower_dropout: must be in [0, 1) (got 1)"},
        RangeCase{"model: {tower_dropout: -0.5}",
                  "cfg.yaml: model.tower_dropout: must be in [0, 1) (got -0.5)"},
        RangeCase{"model: {gate: {temperature: 0}}",
                  "cfg.yaml: model.gate.temperature: must be > 0 (got 0); 1 is a plain "
                  "softmax; smaller is sharper"},
        RangeCase{"model: {gate: {temperature: -2}}",
                  "cfg.yaml: model.gate.temperature: must be > 0 (got -2); 1 is a plain "
                  "softmax; smaller is sharper"},
        RangeCase{"model: {gate: {top_k: -1}}",
                  "cfg.yaml: model.gate.top_k: must be >= 0 (got -1); 0 is a dense softmax"},
        RangeCase{"model: {gate: {top_k: 9}}",
                  "cfg.yaml: model.gate.top_k: must be <= model.num_experts (8) (got 9)"},
        RangeCase{"model: {type: omoe, num_experts: 3, gate: {top_k: 4}}",
                  "cfg.yaml: model.gate.top_k: must be <= model.num_experts (3) (got 4)"},
        RangeCase{"model: {gate: {noisy: true}}",
                  "cfg.yaml: model.gate.noisy: requires model.gate.top_k >= 1 (got top_k 0); "
                  "noise only changes which k experts a top-k gate keeps; set top_k or noisy: "
                  "false"},
        RangeCase{"model: {gate: {load_balance_weight: -0.01}}",
                  "cfg.yaml: model.gate.load_balance_weight: must be >= 0 (got -0.01); 0 "
                  "disables the load-balancing loss"},
        RangeCase{"model: {gate: {collapse_threshold: 1}}",
                  "cfg.yaml: model.gate.collapse_threshold: must be in [0, 1) (got 1); 0 means "
                  "1/(10 E) for a gate over E experts"},
        RangeCase{"model: {gate: {collapse_threshold: -0.1}}",
                  "cfg.yaml: model.gate.collapse_threshold: must be in [0, 1) (got -0.1); 0 "
                  "means 1/(10 E) for a gate over E experts"},
        RangeCase{"model: {shared_layer: {dim: -1}}",
                  "cfg.yaml: model.shared_layer.dim: must be >= 0 (got -1); 0 disables the "
                  "shared layer"},
        RangeCase{"model: {shared_layer: {dim: 8, dropout: 1.5}}",
                  "cfg.yaml: model.shared_layer.dropout: must be in [0, 1) (got 1.5)"},
        RangeCase{"model: {bottom_hidden: [128, 0]}",
                  "cfg.yaml: model.bottom_hidden: every layer width must be >= 1 (got [128, 0])"},
        RangeCase{"model: {ple: {levels: 0}}",
                  "cfg.yaml: model.ple.levels: must be >= 1 (got 0)"},
        RangeCase{"model: {ple: {shared_experts: 0}}",
                  "cfg.yaml: model.ple.shared_experts: must be >= 1 (got 0)"},
        RangeCase{"model: {ple: {task_experts: -1}}",
                  "cfg.yaml: model.ple.task_experts: must be >= 1 (got -1)"},
        RangeCase{"model: {type: shared_bottom, param_budget: -1}",
                  "cfg.yaml: model.param_budget: must be >= 0 (got -1); 0 disables it"},
        RangeCase{"model: {type: mmoe, param_budget: 100000}",
                  "cfg.yaml: model.param_budget: must be 0 for model.type mmoe (got 100000); "
                  "only shared_bottom and single_task networks are sized to a budget"},
        RangeCase{"model: {type: ple, param_budget: 5}",
                  "cfg.yaml: model.param_budget: must be 0 for model.type ple (got 5); only "
                  "shared_bottom and single_task networks are sized to a budget"},
        RangeCase{"tasks: {color: {weight: -1}}",
                  "cfg.yaml: tasks.color.weight: must be >= 0 (got -1); 0 ignores the task's "
                  "loss"},
        RangeCase{"tasks: {color: {label_smoothing: 1}}",
                  "cfg.yaml: tasks.color.label_smoothing: must be in [0, 1) (got 1)"},
        RangeCase{"tasks: {color: {class_weights: []}}",
                  "cfg.yaml: tasks.color.class_weights: must list at least one weight (got []); "
                  "write none for no weights"},
        RangeCase{"tasks: {color: {class_weights: [1, -2, 3]}}",
                  "cfg.yaml: tasks.color.class_weights: every weight must be > 0 (got [1, -2, "
                  "3])"},
        RangeCase{"tasks: {color: {class_weights: [0.5, 0]}}",
                  "cfg.yaml: tasks.color.class_weights: every weight must be > 0 (got [0.5, 0])"},
        RangeCase{"tasks: {tags: {pos_weight: []}}",
                  "cfg.yaml: tasks.tags.pos_weight: must list at least one weight (got []); "
                  "write none for no weights"},
        RangeCase{"tasks: {tags: {pos_weight: [2, -0.25]}}",
                  "cfg.yaml: tasks.tags.pos_weight: every weight must be > 0 (got [2, -0.25])"},
        RangeCase{"tasks: {age: {huber_delta: 0}}",
                  "cfg.yaml: tasks.age.huber_delta: must be > 0 (got 0); errors below it are "
                  "squared, above it linear"},
        RangeCase{"optim: {lr: -0.001}", "cfg.yaml: optim.lr: must be > 0 (got -0.001)"},
        RangeCase{"optim: {lr: 0}", "cfg.yaml: optim.lr: must be > 0 (got 0)"},
        RangeCase{"optim: {weight_decay: -1e-4}",
                  "cfg.yaml: optim.weight_decay: must be >= 0 (got -0.0001)"},
        RangeCase{"optim: {betas: [0.9, 1.0]}",
                  "cfg.yaml: optim.betas: each must be in [0, 1) (got [0.9, 1]); the default "
                  "is [0.9, 0.999]"},
        RangeCase{"optim: {betas: [-0.1, 0.9]}",
                  "cfg.yaml: optim.betas: each must be in [0, 1) (got [-0.1, 0.9]); the "
                  "default is [0.9, 0.999]"},
        RangeCase{"optim: {eps: 0}", "cfg.yaml: optim.eps: must be > 0 (got 0)"},
        RangeCase{"optim: {max_grad_norm: -1}",
                  "cfg.yaml: optim.max_grad_norm: must be >= 0 (got -1); 0 disables clipping"},
        RangeCase{"optim: {groups: {experts: {lr: 0}}}",
                  "cfg.yaml: optim.groups.experts.lr: must be > 0 (got 0)"},
        RangeCase{"optim: {groups: {towers: {weight_decay: -0.5}}}",
                  "cfg.yaml: optim.groups.towers.weight_decay: must be >= 0 (got -0.5)"},
        RangeCase{"scheduler: {factor: 1}",
                  "cfg.yaml: scheduler.factor: must be in (0, 1) (got 1); the learning rate is "
                  "multiplied by it on a plateau"},
        RangeCase{"scheduler: {factor: 0}",
                  "cfg.yaml: scheduler.factor: must be in (0, 1) (got 0); the learning rate is "
                  "multiplied by it on a plateau"},
        RangeCase{"scheduler: {patience: -1}",
                  "cfg.yaml: scheduler.patience: must be >= 0 (got -1)"},
        RangeCase{"scheduler: {threshold: -0.1}",
                  "cfg.yaml: scheduler.threshold: must be >= 0 (got -0.1)"},
        RangeCase{"scheduler: {cooldown: -2}",
                  "cfg.yaml: scheduler.cooldown: must be >= 0 (got -2)"},
        RangeCase{"scheduler: {min_lr: -1e-6}",
                  "cfg.yaml: scheduler.min_lr: must be >= 0 (got -1e-06)"},
        RangeCase{"scheduler: {eps: -1}", "cfg.yaml: scheduler.eps: must be >= 0 (got -1)"},
        RangeCase{"train: {epochs: 0}", "cfg.yaml: train.epochs: must be >= 1 (got 0)"},
        RangeCase{"train: {batch_size: 0}",
                  "cfg.yaml: train.batch_size: must be >= 1 (got 0); it is the batch of one "
                  "process"},
        RangeCase{"train: {eval_batch_size: -5}",
                  "cfg.yaml: train.eval_batch_size: must be >= 1 (got -5)"},
        RangeCase{"train: {num_threads: -1}",
                  "cfg.yaml: train.num_threads: must be >= 0 (got -1); 0 uses all cores"},
        RangeCase{"train: {log_every_steps: 0}",
                  "cfg.yaml: train.log_every_steps: must be >= 1 (got 0)"},
        RangeCase{"train: {checkpoint_dir: ''}",
                  "cfg.yaml: train.checkpoint_dir: must not be empty; give the directory checkpoints are "
                  "written to, e.g. checkpoints"},
        RangeCase{"distributed: {bucket_mb: 0}",
                  "cfg.yaml: distributed.bucket_mb: must be > 0 (got 0)"},
        RangeCase{"distributed: {timeout_s: -5}",
                  "cfg.yaml: distributed.timeout_s: must be > 0 (got -5)"},
        RangeCase{"tracking: {store: ''}",
                  "cfg.yaml: tracking.store: must not be empty; give the path of the SQLite "
                  "store, e.g. mmoe_runs.db"},
        RangeCase{"tracking: {experiment: ''}",
                  "cfg.yaml: tracking.experiment: must not be empty; name the experiment the "
                  "run belongs to, e.g. default"}));

TEST(ConfigValues, LoaderSettingsAreAtLeastOne) {
  EXPECT_EQ(error_of("data: {dir: /d, prefetch_batches: 0}\n"),
            "cfg.yaml: data.prefetch_batches: must be >= 1 (got 0)");
  EXPECT_EQ(error_of("data: {dir: /d, shuffle_window_chunks: 0}\n"),
            "cfg.yaml: data.shuffle_window_chunks: must be >= 1 (got 0)");
  EXPECT_EQ(error_of("data: {dir: /d, chunk_rows: -4}\n"), "cfg.yaml: data.chunk_rows: must be >= 1 (got -4)");
  const Config c = load("data: {dir: /d, cache: device, prefetch_batches: 1, shuffle_window_chunks: 1, chunk_rows: 1}\n").config;
  EXPECT_EQ(c.data.cache, DataCache::kDevice);
  EXPECT_EQ(c.data.chunk_rows, 1);
}

TEST(ConfigValues, SplitNamesMustNotBeEmpty) {
  EXPECT_EQ(error_of("data: {dir: /d, train_split: ''}\n"),
            "cfg.yaml: data.train_split: must not be empty; name a split of dataset.yaml");
  EXPECT_EQ(error_of("data: {dir: /d, val_split: ''}\n"),
            "cfg.yaml: data.val_split: must not be empty; name a split of dataset.yaml");
}

TEST(ConfigValues, BoundaryValuesAreAccepted) {
  const Config c = load(
      "data: {dir: /d}\n"
      "model: {num_experts: 1, expert_hidden: [1], expert_dropout: 0, tower_hidden: [],\n"
      "        tower_dropout: 0.999, gate: {temperature: 1e-9, top_k: 1, noisy: true,\n"
      "        load_balance_weight: 0, collapse_threshold: 0.999},\n"
      "        shared_layer: {dim: 0, dropout: 0.999}, bottom_hidden: [1],\n"
      "        ple: {levels: 1, shared_experts: 1, task_experts: 1}, param_budget: 0}\n"
      "tasks: {a: {weight: 0, label_smoothing: 0, class_weights: [1e-9], pos_weight: [1e-9],\n"
      "            huber_delta: 1e-9}}\n"
      "optim: {betas: [0, 0.9999999], weight_decay: 0, max_grad_norm: 0}\n"
      "scheduler: {factor: 0.999, patience: 0, threshold: 0, cooldown: 0, min_lr: 0, eps: 0}\n"
      "train: {epochs: 1, batch_size: 1, eval_batch_size: 1, num_threads: 0, "
      "log_every_steps: 1}\n")
                       .config;
  EXPECT_EQ(c.model.num_experts, 1);
  EXPECT_EQ(c.model.shared_layer.dropout, 0.999);
  EXPECT_EQ(c.model.tower_dropout, 0.999);
  EXPECT_EQ(c.model.gate.top_k, 1);
  EXPECT_EQ(c.model.gate.collapse_threshold, 0.999);
  EXPECT_EQ(c.model.ple.levels, 1);
  EXPECT_EQ(c.tasks.at("a").huber_delta, 1e-9);
  EXPECT_EQ(c.optim.beta1, 0.0);
  EXPECT_EQ(c.optim.beta2, 0.9999999);
  EXPECT_EQ(c.scheduler.factor, 0.999);
  EXPECT_EQ(c.train.epochs, 1);
}

TEST(ConfigValues, NumbersAreReadExactlyAndStrictly) {
  const Config c = load(
      "data: {dir: /d}\n"
      "optim: {lr: 1e-3, eps: 2.5E-7, weight_decay: 1, max_grad_norm: +0.5}\n"
      "model: {num_experts: +3, expert_hidden: [\"16\", 8]}\n"
      "train: {seed: 42, epochs: '7'}\n")
                       .config;
  EXPECT_EQ(c.optim.lr, 0.001);
  EXPECT_EQ(c.optim.eps, 2.5e-7);
  EXPECT_EQ(c.optim.weight_decay, 1.0);
  EXPECT_EQ(c.optim.max_grad_norm, 0.5);
  EXPECT_EQ(c.model.num_experts, 3);
  EXPECT_EQ(c.model.expert_hidden, (std::vector<int64_t>{16, 8}));
  EXPECT_EQ(c.train.seed, 42u);
  EXPECT_EQ(c.train.epochs, 7);
  for (const char* bad : {"0x10", "1_000", "8.0", "1e3", "", "99999999999999999999"}) {
    EXPECT_NE(error_of(std::string("data: {dir: /d}\nmodel: {num_experts: '") + bad + "'}\n")
                  .find("model.num_experts: expected an integer"),
              std::string::npos)
        << bad;
  }
  EXPECT_EQ(error_of("data: {dir: /d}\noptim: {lr: 1e999}\n"),
            "cfg.yaml: optim.lr: expected a number (got '1e999'); write a number such as 0.001");
  EXPECT_EQ(error_of("data: {dir: /d}\noptim: {lr: nan}\n"),
            "cfg.yaml: optim.lr: expected a finite number (got 'nan')");
}

TEST(ConfigValues, StringsKeepTheirTextAndEmptyReadsAsEmpty) {
  const Config c = load(
      "data: {dir: 2024}\n"
      "tracking: {run_name: ~, experiment: true, tags: {a: 1.50, b: , c: 'x: y'}}\n")
                       .config;
  EXPECT_EQ(c.data.dir, "2024");
  EXPECT_EQ(c.tracking.run_name, "");
  EXPECT_EQ(c.tracking.experiment, "true");
  EXPECT_EQ(c.tracking.tags,
            (std::map<std::string, std::string>{{"a", "1.50"}, {"b", ""}, {"c", "x: y"}}));
}

TEST(ConfigValues, EmptyTaskAndGroupEntriesTakeDefaults) {
  const Config c = load("data: {dir: /d}\ntasks: {color: , size: {}}\n"
                        "optim: {groups: {gates: {}}}\n")
                       .config;
  ASSERT_EQ(c.tasks.size(), 2u);
  EXPECT_EQ(c.tasks.at("color").weight, 1.0);
  EXPECT_EQ(c.tasks.at("size").label_smoothing, 0.0);
  EXPECT_EQ(c.tasks.at("size").class_weights.mode, LabelWeights::Mode::kNone);
  EXPECT_EQ(c.tasks.at("size").loss, RegressionLossType::kMse);
  ASSERT_EQ(c.optim.groups.count(ParamGroup::kGates), 1u);
  EXPECT_FALSE(c.optim.groups.at(ParamGroup::kGates).lr.has_value());
  EXPECT_FALSE(c.optim.groups.at(ParamGroup::kGates).weight_decay.has_value());
}

}  // namespace
}  // namespace mmoe::experiments
