// Every kind of bad config input, with the exact one-line message it produces.
#include <filesystem>

#include <gtest/gtest.h>

#include "config_test_util.h"
#include "experiments/config_loader.h"

namespace mmoe::experiments {
namespace {

using testing::error_of;

std::string with_dir(const std::string& yaml) { return "data: {dir: /d}\n" + yaml; }

TEST(ConfigErrors, MissingFile) {
  try {
    load_config_file("no/such/dir/x.yaml");
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()),
              "cannot open config 'no/such/dir/x.yaml': No such file or directory; check the "
              "path and its permissions");
  }
}

TEST(ConfigErrors, DirectoryInsteadOfFile) {
  const std::string dir = std::filesystem::temp_directory_path().string();
  try {
    load_config_file(dir);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()),
              "cannot open config '" + dir + "': it is a directory; pass the path of a YAML file");
  }
}

TEST(ConfigErrors, MalformedYamlNamesLineAndColumnOneBased) {
  // Line 3, column 9 is the second ':' of "model: x: y".
  EXPECT_EQ(error_of("data:\n  dir: /d\nmodel: x: y\n"),
            "cfg.yaml:3:9: malformed YAML: illegal map value; fix the syntax there");
  EXPECT_EQ(error_of("a: b: c\n"),
            "cfg.yaml:1:5: malformed YAML: illegal map value; fix the syntax there");
  // An unclosed flow list is reported where the parser gives up (line 5, column 6).
  EXPECT_EQ(error_of("data:\n  dir: /d\nmodel:\n  expert_hidden: [64, 32\ntrain: {epochs: 2}\n"),
            "cfg.yaml:5:6: malformed YAML: end of sequence flow not found; fix the syntax there");
}

TEST(ConfigErrors, UnknownKeysAtEveryDepthSuggestTheNearest) {
  EXPECT_EQ(error_of("modle: {num_experts: 2}\n"),
            "cfg.yaml: unknown key 'modle'; did you mean 'model'?");
  EXPECT_EQ(error_of(with_dir("model: {num_expert: 4}\n")),
            "cfg.yaml: unknown key 'model.num_expert'; did you mean 'model.num_experts'?");
  EXPECT_EQ(error_of(with_dir("model: {shared_layer: {dimm: 4}}\n")),
            "cfg.yaml: unknown key 'model.shared_layer.dimm'; did you mean "
            "'model.shared_layer.dim'?");
  EXPECT_EQ(error_of(with_dir("tasks: {color: {wieght: 2}}\n")),
            "cfg.yaml: unknown key 'tasks.color.wieght'; did you mean 'tasks.color.weight'?");
  EXPECT_EQ(error_of(with_dir("optim: {groups: {expert: {lr: 0.1}}}\n")),
            "cfg.yaml: unknown key 'optim.groups.expert'; did you mean 'optim.groups.experts'?");
  EXPECT_EQ(error_of(with_dir("optim: {groups: {experts: {lrr: 0.1}}}\n")),
            "cfg.yaml: unknown key 'optim.groups.experts.lrr'; did you mean "
            "'optim.groups.experts.lr'?");
  EXPECT_EQ(error_of(with_dir("train: {batchsize: 8}\n")),
            "cfg.yaml: unknown key 'train.batchsize'; did you mean 'train.batch_size'?");
  EXPECT_EQ(error_of(with_dir("model: {gate: {topk: 2}}\n")),
            "cfg.yaml: unknown key 'model.gate.topk'; did you mean 'model.gate.top_k'?");
  EXPECT_EQ(error_of(with_dir("model: {ple: {level: 2}}\n")),
            "cfg.yaml: unknown key 'model.ple.level'; did you mean 'model.ple.levels'?");
  EXPECT_EQ(error_of(with_dir("tasks: {color: {class_weight: balanced}}\n")),
            "cfg.yaml: unknown key 'tasks.color.class_weight'; did you mean "
            "'tasks.color.class_weights'?");
}

TEST(ConfigErrors, MovedKeyNamesItsNewPlace) {
  EXPECT_EQ(error_of(with_dir("model: {gate_temperature: 0.5}\n")),
            "cfg.yaml: unknown key 'model.gate_temperature'; it is now "
            "'model.gate.temperature'");
  EXPECT_EQ(error_of(with_dir("model:\n  num_experts: 0\n  gate_temperature: 2\n")),
            "cfg.yaml: unknown key 'model.gate_temperature'; it is now "
            "'model.gate.temperature'");
}

TEST(ConfigErrors, UnknownKeyWithoutNearMatchListsTheValidKeys) {
  EXPECT_EQ(error_of(with_dir("model: {colour_space: rgb}\n")),
            "cfg.yaml: unknown key 'model.colour_space'; valid keys in model: type, "
            "num_experts, expert_hidden, activation, expert_dropout, tower_hidden, "
            "tower_dropout, gate, standardize_features, shared_layer, bottom_hidden, ple, "
            "loss_weighting, param_budget");
  EXPECT_EQ(error_of(with_dir("model: {gate: {sparsity: 2}}\n")),
            "cfg.yaml: unknown key 'model.gate.sparsity'; valid keys in model.gate: "
            "temperature, top_k, noisy, load_balance_weight, collapse_threshold");
  EXPECT_EQ(error_of("foo: 1\n"),
            "cfg.yaml: unknown key 'foo'; valid sections: data, model, tasks, optim, "
            "scheduler, train, distributed, tracking");
  EXPECT_EQ(error_of(with_dir("optim: {learning_rate: 0.1}\n")),
            "cfg.yaml: unknown key 'optim.learning_rate'; valid keys in optim: lr, "
            "weight_decay, betas, eps, max_grad_norm, groups");
}

TEST(ConfigErrors, UnknownKeyIsReportedBeforeABadValue) {
  EXPECT_EQ(error_of(with_dir("model:\n  num_experts: 0\n  expert_hiden: [4]\n")),
            "cfg.yaml: unknown key 'model.expert_hiden'; did you mean 'model.expert_hidden'?");
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(error_of(with_dir("model: {num_experts: eight}\n")),
            "cfg.yaml: model.num_experts: expected an integer (got 'eight'); write a whole "
            "number such as 8");
  EXPECT_EQ(error_of(with_dir("model: {num_experts: 2.5}\n")),
            "cfg.yaml: model.num_experts: expected an integer (got '2.5'); write a whole "
            "number such as 8");
  EXPECT_EQ(error_of(with_dir("model: {num_experts: {a: 1}}\n")),
            "cfg.yaml: model.num_experts: expected an integer (got a map); write a whole "
            "number such as 8");
  EXPECT_EQ(error_of(with_dir("model:\n  num_experts:\n")),
            "cfg.yaml: model.num_experts: expected an integer (got an empty value); write a "
            "whole number such as 8");
  EXPECT_EQ(error_of(with_dir("optim: {lr: [0.1]}\n")),
            "cfg.yaml: optim.lr: expected a number (got a list of 1 item); write a number "
            "such as 0.001");
  EXPECT_EQ(error_of(with_dir("optim: {lr: fast}\n")),
            "cfg.yaml: optim.lr: expected a number (got 'fast'); write a number such as 0.001");
  EXPECT_EQ(error_of(with_dir("optim: {lr: .inf}\n")),
            "cfg.yaml: optim.lr: expected a finite number (got '.inf')");
  EXPECT_EQ(error_of(with_dir("train: {seed: -1}\n")),
            "cfg.yaml: train.seed: expected a non-negative integer (got '-1'); write a whole "
            "number such as 0");
  EXPECT_EQ(error_of(with_dir("tracking: {store: [a, b]}\n")),
            "cfg.yaml: tracking.store: expected a string (got a list of 2 items); quote the "
            "value if it contains ':', '[' or '{'");
  EXPECT_EQ(error_of(with_dir("tracking: {tags: {owner: {name: ana}}}\n")),
            "cfg.yaml: tracking.tags.owner: expected a string (got a map); quote the value if "
            "it contains ':', '[' or '{'");
}

TEST(ConfigErrors, WrongShapesOfListsAndSections) {
  EXPECT_EQ(error_of(with_dir("model: {expert_hidden: 64}\n")),
            "cfg.yaml: model.expert_hidden: expected a list of integers such as [256, 128] "
            "(got '64')");
  EXPECT_EQ(error_of(with_dir("model: {expert_hidden: [64, x]}\n")),
            "cfg.yaml: model.expert_hidden: element 2 must be an integer (got 'x')");
  EXPECT_EQ(error_of(with_dir("optim: {betas: [0.9]}\n")),
            "cfg.yaml: optim.betas: expected a list of two numbers such as [0.9, 0.999] (got "
            "a list of 1 item)");
  EXPECT_EQ(error_of(with_dir("optim: {betas: [0.9, high]}\n")),
            "cfg.yaml: optim.betas: element 2 must be a finite number (got 'high')");
  EXPECT_EQ(error_of(with_dir("model: 5\n")),
            "cfg.yaml: model: expected a map of keys (got '5'); valid keys: type, num_experts, "
            "expert_hidden, activation, expert_dropout, tower_hidden, tower_dropout, gate, "
            "standardize_features, shared_layer, bottom_hidden, ple, loss_weighting, "
            "param_budget");
  EXPECT_EQ(error_of(with_dir("model: {gate: 0.5}\n")),
            "cfg.yaml: model.gate: expected a map of keys (got '0.5'); valid keys: temperature, "
            "top_k, noisy, load_balance_weight, collapse_threshold");
  EXPECT_EQ(error_of(with_dir("model: {bottom_hidden: 64}\n")),
            "cfg.yaml: model.bottom_hidden: expected a list of integers such as [256, 128] "
            "(got '64')");
  EXPECT_EQ(error_of(with_dir("tasks: color\n")),
            "cfg.yaml: tasks: expected a map of task names (got 'color')");
  EXPECT_EQ(error_of(with_dir("tasks: {fish.family: {weight: 1}}\n")),
            "cfg.yaml: tasks: names must not contain '.' (got 'fish.family'); use '_' or '-'");
  EXPECT_EQ(error_of(with_dir("model:\n  num_experts: 2\n  num_experts: 3\n")),
            "cfg.yaml: model.num_experts: key appears twice; keep one");
}

TEST(ConfigErrors, MessagesStayOnOneLineAndShort) {
  EXPECT_EQ(error_of(with_dir("model:\n  num_experts: |\n    eight\n    nine\n")),
            "cfg.yaml: model.num_experts: expected an integer (got 'eight\\nnine\\n'); write a "
            "whole number such as 8");
  EXPECT_EQ(error_of(with_dir("model: {activation: \"re\\tlu\"}\n")),
            "cfg.yaml: model.activation: must be one of relu, gelu, silu, tanh (got 're\\tlu'); "
            "did you mean 'relu'?");
  EXPECT_EQ(error_of(with_dir("train: {device: " + std::string(70, 'x') + "}\n")),
            "cfg.yaml: train.device: must be one of auto, cpu, cuda (got '" +
                std::string(60, 'x') + "...')");
}

TEST(ConfigErrors, UnknownEnumValuesListTheValidOnes) {
  EXPECT_EQ(error_of(with_dir("model: {activation: gelu2}\n")),
            "cfg.yaml: model.activation: must be one of relu, gelu, silu, tanh (got 'gelu2'); "
            "did you mean 'gelu'?");
  EXPECT_EQ(error_of(with_dir("model: {activation: ReLU}\n")),
            "cfg.yaml: model.activation: must be one of relu, gelu, silu, tanh (got 'ReLU'); "
            "did you mean 'relu'?");
  EXPECT_EQ(error_of(with_dir("model: {type: cgc}\n")),
            "cfg.yaml: model.type: must be one of mmoe, omoe, shared_bottom, single_task, ple "
            "(got 'cgc')");
  EXPECT_EQ(error_of(with_dir("model: {type: shared-bottom}\n")),
            "cfg.yaml: model.type: must be one of mmoe, omoe, shared_bottom, single_task, ple "
            "(got 'shared-bottom'); did you mean 'shared_bottom'?");
  EXPECT_EQ(error_of(with_dir("model: {loss_weighting: learned}\n")),
            "cfg.yaml: model.loss_weighting: must be one of fixed, uncertainty (got 'learned')");
  EXPECT_EQ(error_of(with_dir("tasks: {age: {loss: l1}}\n")),
            "cfg.yaml: tasks.age.loss: must be one of mse, huber (got 'l1')");
  EXPECT_EQ(error_of(with_dir("train: {device: metal}\n")),
            "cfg.yaml: train.device: must be one of auto, cpu, cuda (got 'metal')");
  EXPECT_EQ(error_of(with_dir("scheduler: {type: reduce_on_plateau}\n")),
            "cfg.yaml: scheduler.type: must be one of none, plateau (got 'reduce_on_plateau')");
  EXPECT_EQ(error_of(with_dir("scheduler: {threshold_mode: relative}\n")),
            "cfg.yaml: scheduler.threshold_mode: must be one of rel, abs (got 'relative')");
  EXPECT_EQ(error_of(with_dir("train: {monitor: val_f1}\n")),
            "cfg.yaml: train.monitor: must be one of val_weighted_f1, val_loss, val_macro_f1, val_micro_f1, "
            "val_samples_f1, val_accuracy, val_auc, val_mae, val_rmse, val_r2, or val/<task>/<metric> with "
            "<metric> one of weighted_f1, loss, macro_f1, micro_f1, samples_f1, accuracy, auc, mae, rmse, r2 "
            "(got 'val_f1'); did you mean 'val_r2'?");
  EXPECT_EQ(error_of(with_dir("train: {monitor_mode: lowest}\n")),
            "cfg.yaml: train.monitor_mode: must be one of auto, min, max (got 'lowest')");
  EXPECT_EQ(error_of("data: {dir: /d, cache: ram}\n"),
            "cfg.yaml: data.cache: must be one of none, host, device (got 'ram')");
  EXPECT_EQ(error_of(with_dir("distributed: {backend: gloo}\n")),
            "cfg.yaml: distributed.backend: must be one of auto, local, mpi, nccl (got 'gloo')");
}

TEST(ConfigErrors, BooleansAreTrueOrFalse) {
  EXPECT_EQ(error_of(with_dir("model: {standardize_features: yes}\n")),
            "cfg.yaml: model.standardize_features: expected true or false (got 'yes')");
  EXPECT_EQ(error_of(with_dir("model: {gate: {top_k: 1, noisy: 1}}\n")),
            "cfg.yaml: model.gate.noisy: expected true or false (got '1')");
  EXPECT_EQ(error_of(with_dir("tasks: {age: {standardize_target: }}\n")),
            "cfg.yaml: tasks.age.standardize_target: expected true or false (got an empty "
            "value)");
  EXPECT_EQ(error_of(with_dir("tasks: {age: {standardize_target: [true]}}\n")),
            "cfg.yaml: tasks.age.standardize_target: expected true or false (got a list of 1 "
            "item)");
}

TEST(ConfigErrors, LabelWeightsAreNoneBalancedOrAListOfNumbers) {
  EXPECT_EQ(error_of(with_dir("tasks: {color: {class_weights: auto}}\n")),
            "cfg.yaml: tasks.color.class_weights: expected none, balanced or a list of numbers "
            "(got 'auto')");
  EXPECT_EQ(error_of(with_dir("tasks: {color: {class_weights: balance}}\n")),
            "cfg.yaml: tasks.color.class_weights: expected none, balanced or a list of numbers "
            "(got 'balance'); did you mean 'balanced'?");
  EXPECT_EQ(error_of(with_dir("tasks: {color: {class_weights: {red: 2}}}\n")),
            "cfg.yaml: tasks.color.class_weights: expected none, balanced or a list of numbers "
            "(got a map)");
  EXPECT_EQ(error_of(with_dir("tasks: {color: {class_weights: 2}}\n")),
            "cfg.yaml: tasks.color.class_weights: expected none, balanced or a list of numbers "
            "(got '2')");
  EXPECT_EQ(error_of(with_dir("tasks: {color: {class_weights: }}\n")),
            "cfg.yaml: tasks.color.class_weights: expected none, balanced or a list of numbers "
            "(got an empty value)");
  EXPECT_EQ(error_of(with_dir("tasks: {color: {class_weights: [1, x, 3]}}\n")),
            "cfg.yaml: tasks.color.class_weights: element 2 must be a finite number (got 'x')");
  EXPECT_EQ(error_of(with_dir("tasks: {color: {class_weights: [1, .inf]}}\n")),
            "cfg.yaml: tasks.color.class_weights: element 2 must be a finite number (got "
            "'.inf')");
  EXPECT_EQ(error_of(with_dir("tasks: {tags: {pos_weight: [[1, 2]]}}\n")),
            "cfg.yaml: tasks.tags.pos_weight: element 1 must be a finite number (got a list of 2 "
            "items)");
  EXPECT_EQ(error_of(with_dir("tasks: {tags: {pos_weight: None}}\n")),
            "cfg.yaml: tasks.tags.pos_weight: expected none, balanced or a list of numbers (got "
            "'None'); did you mean 'none'?");
}

TEST(ConfigErrors, TopLevelMustBeOneMap) {
  EXPECT_EQ(error_of("- data\n- model\n"),
            "cfg.yaml: the top level must be a map of sections (got a list of 2 items); valid "
            "sections: data, model, tasks, optim, scheduler, train, distributed, tracking");
  EXPECT_EQ(error_of("hello\n"),
            "cfg.yaml: the top level must be a map of sections (got 'hello'); valid sections: "
            "data, model, tasks, optim, scheduler, train, distributed, tracking");
  EXPECT_EQ(error_of("data: {dir: /a}\n---\ndata: {dir: /b}\n"),
            "cfg.yaml: found 2 YAML documents; a config is one document, remove the '---' "
            "separators");
}

TEST(ConfigErrors, DataDirIsRequired) {
  const std::string expected =
      "cfg.yaml: data.dir: required; set it in the file or with data.dir=PATH";
  EXPECT_EQ(error_of(""), expected);
  EXPECT_EQ(error_of("model: {num_experts: 2}\n"), expected);
  EXPECT_EQ(error_of("data: {dir: ''}\n"), expected);
  EXPECT_EQ(error_of("data:\n  dir:\n"), expected);
  EXPECT_EQ(error_of("data: {train_split: train}\n"), expected);
}

}  // namespace
}  // namespace mmoe::experiments
