// Sweep files: every key read, and each bad input refused before any trial with one line that
// names the sweep file and the key.
#include <gtest/gtest.h>

#include "sweep_test_util.h"

namespace mmoe::experiments {
namespace {

using testing::SweepDir;

constexpr const char* kHead = "name: s\nbase: base.yaml\n";

TEST(SweepParse, ReadsEveryKey) {
  SweepDir dir;
  const auto spec = dir.load(std::string(kHead) +
                             "method: tpe\n"
                             "objective: {metric: val_loss, direction: min}\n"
                             "max_trials: 12\nparallelism: 3\nseed: 7\nmax_retries: 2\n"
                             "early_termination: {method: asha, min_epochs: 2, eta: 2}\n"
                             "tpe: {n_startup: 4, gamma: 0.3, candidates: 10}\n"
                             "parameters:\n"
                             "  model.type: {values: [mmoe, shared_bottom]}\n"
                             "  model.num_experts: {int: [2, 8], step: 2, when: {model.type: mmoe}}\n"
                             "  optim.lr: {log_uniform: [1.0e-4, 1.0e-2]}\n"
                             "  optim.weight_decay: {uniform: [0, 0.1]}\n"
                             "  model.expert_hidden: {values: [[64], [64, 32]]}\n");
  EXPECT_EQ(spec.name, "s");
  EXPECT_EQ(spec.base, dir.path() / "base.yaml");
  EXPECT_EQ(spec.method, SearchMethod::kTpe);
  EXPECT_EQ(spec.metric, "val_loss");
  EXPECT_EQ(spec.direction, Direction::kMin);
  EXPECT_EQ(spec.max_trials, 12);
  EXPECT_EQ(spec.parallelism, 3);
  EXPECT_EQ(spec.seed, 7u);
  EXPECT_EQ(spec.max_retries, 2);
  EXPECT_EQ(spec.early_termination.method, PrunerKind::kAsha);
  EXPECT_EQ(spec.early_termination.min_epochs, 2);
  EXPECT_EQ(spec.early_termination.eta, 2);
  EXPECT_EQ(spec.tpe.n_startup, 4);
  EXPECT_DOUBLE_EQ(spec.tpe.gamma, 0.3);
  EXPECT_EQ(spec.tpe.candidates, 10);
  EXPECT_EQ(spec.max_epochs, 9);  // the base config's train.epochs
  ASSERT_EQ(spec.parameters.size(), 5u);
  EXPECT_EQ(spec.parameters[0].values, (std::vector<std::string>{"mmoe", "shared_bottom"}));
  EXPECT_EQ(spec.parameters[1].kind, ParamKind::kInt);
  EXPECT_EQ(spec.parameters[1].step, 2);
  ASSERT_EQ(spec.parameters[1].when.size(), 1u);
  EXPECT_EQ(spec.parameters[1].when[0].path, "model.type");
  EXPECT_EQ(spec.parameters[1].when[0].value, "mmoe");
  EXPECT_EQ(spec.parameters[2].kind, ParamKind::kLogUniform);
  EXPECT_DOUBLE_EQ(spec.parameters[2].low, 1e-4);
  EXPECT_EQ(spec.parameters[3].kind, ParamKind::kUniform);
  EXPECT_EQ(spec.parameters[4].values, (std::vector<std::string>{"[64]", "[64, 32]"}));
}

TEST(SweepParse, Defaults) {
  SweepDir dir;
  const auto spec = dir.load(std::string(kHead) + "method: grid\nparameters:\n  model.num_experts: {values: [4]}\n");
  EXPECT_EQ(spec.metric, "val_weighted_f1");
  EXPECT_EQ(spec.direction, Direction::kMax);
  EXPECT_EQ(spec.parallelism, 1);
  EXPECT_EQ(spec.max_retries, 1);
  EXPECT_EQ(spec.early_termination.method, PrunerKind::kNone);
}

TEST(SweepParse, EmptySearchSpace) {
  SweepDir dir;
  const std::string expected =
      dir.path().string() + "/sweep.yaml: parameters: the search space is empty; add at least one parameter, e.g. "
                            "model.num_experts: {values: [4, 8]}";
  EXPECT_EQ(dir.error_of(std::string(kHead) + "max_trials: 3\n"), expected);
  EXPECT_EQ(dir.error_of(std::string(kHead) + "max_trials: 3\nparameters: {}\n"), expected);
}

TEST(SweepParse, LogUniformBoundNotPositive) {
  SweepDir dir;
  EXPECT_EQ(dir.error_of(std::string(kHead) + "max_trials: 3\nparameters:\n  optim.lr: {log_uniform: [0, 0.1]}\n"),
            dir.path().string() + "/sweep.yaml: parameters.optim.lr.log_uniform: bounds must be > 0 for a log scale "
                                  "(got [0, 0.1]); use uniform for a range that includes 0");
}

TEST(SweepParse, UnknownParameterPathSuggestsNearest) {
  SweepDir dir;
  EXPECT_EQ(dir.error_of(std::string(kHead) + "max_trials: 3\nparameters:\n  model.num_expert: {values: [4, 8]}\n"),
            dir.path().string() + "/sweep.yaml: parameters.model.num_expert: 'model.num_expert' is not a key of the "
                                  "config; did you mean 'model.num_experts'?");
}

TEST(SweepParse, ChoiceNamingAnUnknownModelType) {
  SweepDir dir;
  const std::string error =
      dir.error_of(std::string(kHead) + "max_trials: 3\nparameters:\n  model.type: {values: [mmoe, transformer]}\n");
  const std::string head = dir.path().string() + "/sweep.yaml: parameters.model.type.values[1]: the base config '" +
                           (dir.path() / "base.yaml").string() + "' refuses 'transformer': ";
  EXPECT_EQ(error.substr(0, head.size()), head) << error;
  EXPECT_NE(error.find("model.type"), std::string::npos);
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

TEST(SweepParse, RangeBoundRefusedByTheConfigValidator) {
  SweepDir dir;
  const std::string error =
      dir.error_of(std::string(kHead) + "max_trials: 3\nparameters:\n  model.num_experts: {int: [0, 4]}\n");
  EXPECT_NE(error.find("parameters.model.num_experts.int: the base config"), std::string::npos) << error;
  EXPECT_NE(error.find("refuses '0'"), std::string::npos) << error;
}

TEST(SweepParse, MaxTrialsZero) {
  SweepDir dir;
  const std::string expected =
      dir.path().string() + "/sweep.yaml: max_trials: must be >= 1 (got 0); it is the number of trials to run";
  EXPECT_EQ(dir.error_of(std::string(kHead) + "max_trials: 0\nparameters:\n  optim.lr: {uniform: [0.1, 0.2]}\n"), expected);
  EXPECT_EQ(dir.error_of(std::string(kHead) + "method: grid\nmax_trials: 0\nparameters:\n  model.num_experts: {values: [4]}\n"),
            expected);
  EXPECT_EQ(dir.error_of(std::string(kHead) + "parameters:\n  optim.lr: {uniform: [0.1, 0.2]}\n"),
            dir.path().string() + "/sweep.yaml: max_trials: missing; random and tpe sweeps need a trial budget, e.g. "
                                  "max_trials: 20");
}

TEST(SweepParse, UnknownKeySuggestsNearest) {
  SweepDir dir;
  EXPECT_EQ(dir.error_of(std::string(kHead) + "methd: grid\n"),
            dir.path().string() + "/sweep.yaml: unknown key 'methd'; did you mean 'method'?");
  const std::string nested = dir.error_of(std::string(kHead) + "parameters:\n  optim.lr: {unifrom: [0, 1]}\n");
  EXPECT_NE(nested.find("unknown key 'parameters.optim.lr.unifrom'; did you mean 'parameters.optim.lr.uniform'?"),
            std::string::npos)
      << nested;
}

TEST(SweepParse, WrongTypesNameTheirPath) {
  SweepDir dir;
  const std::string trials = dir.error_of(std::string(kHead) + "max_trials: ten\n");
  EXPECT_NE(trials.find("sweep.yaml: max_trials: expected an integer (got 'ten')"), std::string::npos) << trials;
  const std::string values = dir.error_of(std::string(kHead) + "parameters:\n  model.num_experts: {values: 4}\n");
  EXPECT_NE(values.find("parameters.model.num_experts.values: expected a list [a, b, ...] (got '4')"), std::string::npos)
      << values;
  const std::string method = dir.error_of(std::string(kHead) + "method: tps\n");
  EXPECT_NE(method.find("method: unknown value 'tps' (did you mean 'tpe'?); choose one of grid, random, tpe"),
            std::string::npos)
      << method;
}

TEST(SweepParse, OtherBadValues) {
  SweepDir dir;
  const auto error = [&](const std::string& body) { return dir.error_of(std::string(kHead) + body); };
  EXPECT_NE(error("max_trials: 2\nparameters:\n  optim.lr: {uniform: [0.2, 0.1]}\n").find("low bound 0.2 is above high bound 0.1"),
            std::string::npos);
  EXPECT_NE(error("method: grid\nparameters:\n  optim.lr: {uniform: [0.1, 0.2]}\n").find("a grid needs values"),
            std::string::npos);
  EXPECT_NE(error("max_trials: 2\nparameters:\n  optim.lr: {uniform: [0.1, 0.2], values: [1]}\n")
                .find("give exactly one of values, uniform, log_uniform, int"),
            std::string::npos);
  EXPECT_NE(error("max_trials: 2\nparameters:\n  model.num_experts: {int: [2, 8.5]}\n").find("must be whole numbers"),
            std::string::npos);
  EXPECT_NE(error("max_trials: 2\nparameters:\n  model.num_experts: {values: [4], when: {model.type: mmoe}}\n")
                .find("a condition must name an earlier parameter"),
            std::string::npos);
  EXPECT_NE(error("max_trials: 2\nparallelism: 0\nparameters:\n  model.num_experts: {values: [4]}\n")
                .find("parallelism: must be >= 1 (got 0)"),
            std::string::npos);
  EXPECT_NE(error("max_trials: 2\nobjective: {metric: accuracy}\nparameters:\n  model.num_experts: {values: [4]}\n")
                .find("objective.metric: 'accuracy' is not a per-epoch metric"),
            std::string::npos);
  EXPECT_NE(dir.error_of("name: s\nbase: missing.yaml\nmax_trials: 2\nparameters:\n  model.num_experts: {values: [4]}\n")
                .find("base: the base config does not load"),
            std::string::npos);
}

}  // namespace
}  // namespace mmoe::experiments
