// Overrides: precedence (override > file > default), their syntax, and errors naming them.
#include <gtest/gtest.h>

#include "config_test_util.h"
#include "experiments/config_loader.h"

namespace mmoe::experiments {
namespace {

using testing::error_of;
using testing::load;

const char* const kFile =
    "data: {dir: /data/fish}\n"
    "model:\n  num_experts: 4\n  expert_hidden: [128]\n"
    "optim: {lr: 0.01}\n"
    "tracking: {tags: {site: reef}}\n";

TEST(ConfigOverrides, OverrideBeatsFileBeatsDefault) {
  const Config file_only = load(kFile).config;
  EXPECT_EQ(file_only.optim.lr, 0.01);               // file beats default 1e-3
  EXPECT_EQ(file_only.optim.weight_decay, 0.01);     // default
  const Config c = load(kFile, {"optim.lr=0.05", "optim.weight_decay=0", "train.epochs=3"})
                       .config;
  EXPECT_EQ(c.optim.lr, 0.05);          // override beats file
  EXPECT_EQ(c.optim.weight_decay, 0.0); // override beats default
  EXPECT_EQ(c.train.epochs, 3);
  EXPECT_EQ(c.model.num_experts, 4);    // file value untouched
  EXPECT_EQ(c.train.batch_size, 256);   // default untouched
}

TEST(ConfigOverrides, LaterOverrideWins) {
  EXPECT_EQ(load(kFile, {"model.num_experts=2", "model.num_experts=5"}).config.model.num_experts,
            5);
}

TEST(ConfigOverrides, ValuesAreYamlScalarsListsAndMaps) {
  const Config c = load(kFile, {"model.expert_hidden=[64,32]", "tracking.tags.owner=ana",
                                "model.shared_layer={dim: 16, dropout: 0.5}",
                                "tasks.color.weight=2", "tracking.run_name=a=b",
                                " model.activation = gelu", "train.device=cpu"})
                       .config;
  EXPECT_EQ(c.model.expert_hidden, (std::vector<int64_t>{64, 32}));
  EXPECT_EQ(c.tracking.tags,
            (std::map<std::string, std::string>{{"owner", "ana"}, {"site", "reef"}}));
  EXPECT_EQ(c.model.shared_layer.dim, 16);
  EXPECT_EQ(c.model.shared_layer.dropout, 0.5);
  ASSERT_EQ(c.tasks.count("color"), 1u);
  EXPECT_EQ(c.tasks.at("color").weight, 2.0);
  EXPECT_EQ(c.tasks.at("color").label_smoothing, 0.0);
  EXPECT_EQ(c.tracking.run_name, "a=b");
  EXPECT_EQ(c.model.activation, Activation::kGelu);
  EXPECT_EQ(c.train.device, Device::kCpu);
}

TEST(ConfigOverrides, GateAndLabelWeightKeys) {
  const Config c = load(kFile, {"model.gate.top_k=2", "tasks.color.class_weights=[1,2,3]",
                                "tasks.size.class_weights=balanced",
                                "tasks.tags.pos_weight=[0.5, 4]", "model.gate.noisy=true",
                                "model.ple={levels: 3}", "tasks.age.loss=huber"})
                       .config;
  EXPECT_EQ(c.model.gate.top_k, 2);
  EXPECT_TRUE(c.model.gate.noisy);
  EXPECT_EQ(c.model.gate.temperature, 1.0);  // the rest of model.gate keeps its defaults
  EXPECT_EQ(c.model.ple.levels, 3);
  EXPECT_EQ(c.model.ple.shared_experts, 2);
  EXPECT_EQ(c.tasks.at("color").class_weights.mode, LabelWeights::Mode::kExplicit);
  EXPECT_EQ(c.tasks.at("color").class_weights.values, (std::vector<double>{1.0, 2.0, 3.0}));
  EXPECT_EQ(c.tasks.at("size").class_weights.mode, LabelWeights::Mode::kBalanced);
  EXPECT_EQ(c.tasks.at("tags").pos_weight.values, (std::vector<double>{0.5, 4.0}));
  EXPECT_EQ(c.tasks.at("age").loss, RegressionLossType::kHuber);
  // A later override replaces the list with a mode, and the other way round.
  const Config later = load(kFile, {"tasks.color.class_weights=[1,2,3]",
                                    "tasks.color.class_weights=balanced"})
                           .config;
  EXPECT_EQ(later.tasks.at("color").class_weights.mode, LabelWeights::Mode::kBalanced);
  EXPECT_TRUE(later.tasks.at("color").class_weights.values.empty());
}

TEST(ConfigOverrides, FillEmptyFilesAndEmptySections) {
  EXPECT_EQ(load("", {"data.dir=/x"}).config.data.dir, "/x");
  EXPECT_EQ(load("data:\nmodel:\n", {"data.dir=/x", "model.num_experts=3"})
                .config.model.num_experts,
            3);
}

TEST(ConfigOverrides, CanFixAFileValueAndHideNothingElse) {
  const std::string bad_file = "data: {dir: /d}\nmodel: {num_experts: 0}\n";
  EXPECT_EQ(error_of(bad_file, {"optim.lr=0.5"}),
            "cfg.yaml: model.num_experts: must be >= 1 (got 0)");
  EXPECT_EQ(load(bad_file, {"model.num_experts=2"}).config.model.num_experts, 2);
}

TEST(ConfigOverrides, MalformedOverrides) {
  EXPECT_EQ(error_of(kFile, {"model.num_experts"}),
            "override 'model.num_experts': expected key=value with a dotted key, e.g. "
            "model.num_experts=4");
  EXPECT_EQ(error_of(kFile, {"=4"}),
            "override '=4': empty key; write key=value, e.g. model.num_experts=4");
  EXPECT_EQ(error_of(kFile, {"model..dim=3"}),
            "override 'model..dim=3': key 'model..dim' has an empty part; separate names with "
            "single dots, e.g. model.shared_layer.dim");
  const std::string message = error_of(kFile, {"model.expert_hidden=[64,"});
  EXPECT_EQ(message.rfind("override 'model.expert_hidden=[64,': malformed value at column ", 0),
            0u)
      << message;
  EXPECT_NE(message.find("e.g. model.expert_hidden=[64, 32]"), std::string::npos) << message;
}

TEST(ConfigOverrides, ErrorsInOverriddenValuesNameTheOverride) {
  EXPECT_EQ(error_of(kFile, {"model.num_experts=0"}),
            "override 'model.num_experts=0': model.num_experts: must be >= 1 (got 0)");
  EXPECT_EQ(error_of(kFile, {"model.num_experts=eight"}),
            "override 'model.num_experts=eight': model.num_experts: expected an integer (got "
            "'eight'); write a whole number such as 8");
  EXPECT_EQ(error_of(kFile, {"model.activation=swish"}),
            "override 'model.activation=swish': model.activation: must be one of relu, gelu, "
            "silu, tanh (got 'swish')");
  EXPECT_EQ(error_of(kFile, {"model.shared_layer={dim: -4}"}),
            "override 'model.shared_layer={dim: -4}': model.shared_layer.dim: must be >= 0 "
            "(got -4); 0 disables the shared layer");
  EXPECT_EQ(error_of(kFile, {"model.gate.top_k=5"}),
            "override 'model.gate.top_k=5': model.gate.top_k: must be <= model.num_experts (4) "
            "(got 5)");
  EXPECT_EQ(error_of(kFile, {"tasks.color.class_weights=auto"}),
            "override 'tasks.color.class_weights=auto': tasks.color.class_weights: expected "
            "none, balanced or a list of numbers (got 'auto')");
  EXPECT_EQ(error_of(kFile, {"tasks.color.class_weights=[]"}),
            "override 'tasks.color.class_weights=[]': tasks.color.class_weights: must list at "
            "least one weight (got []); write none for no weights");
  EXPECT_EQ(error_of(kFile, {"data.dir="}),
            "override 'data.dir=': data.dir: required; set it in the file or with "
            "data.dir=PATH");
}

TEST(ConfigOverrides, UnknownKeysReachedThroughAnOverrideNameIt) {
  EXPECT_EQ(error_of(kFile, {"model.num_expert=4"}),
            "override 'model.num_expert=4': unknown key 'model.num_expert'; did you mean "
            "'model.num_experts'?");
  EXPECT_EQ(error_of(kFile, {"modle.num_experts=4"}),
            "override 'modle.num_experts=4': unknown key 'modle'; did you mean 'model'?");
  EXPECT_EQ(error_of(kFile, {"model.shared_layer.dimm=4"}),
            "override 'model.shared_layer.dimm=4': unknown key 'model.shared_layer.dimm'; did "
            "you mean 'model.shared_layer.dim'?");
  EXPECT_EQ(error_of(kFile, {"model.gate_temperature=0.5"}),
            "override 'model.gate_temperature=0.5': unknown key 'model.gate_temperature'; it is "
            "now 'model.gate.temperature'");
  EXPECT_EQ(error_of(kFile, {"model.gate.temprature=0.5"}),
            "override 'model.gate.temprature=0.5': unknown key 'model.gate.temprature'; did "
            "you mean 'model.gate.temperature'?");
  EXPECT_EQ(error_of(kFile, {"model.shared_layer={dimm: 4}"}),
            "override 'model.shared_layer={dimm: 4}': unknown key 'model.shared_layer.dimm'; "
            "did you mean 'model.shared_layer.dim'?");
}

TEST(ConfigOverrides, CannotSetAKeyInsideAValue) {
  EXPECT_EQ(error_of(kFile, {"model.num_experts.x=3"}),
            "override 'model.num_experts.x=3': model.num_experts: holds '4', not a section of "
            "keys, so 'x' cannot be set inside it");
  // Where the file does not set the value, the override creates a section the parser rejects.
  EXPECT_EQ(error_of(kFile, {"train.epochs.x=3"}),
            "override 'train.epochs.x=3': train.epochs: expected an integer (got a map); write "
            "a whole number such as 10");
}

}  // namespace
}  // namespace mmoe::experiments
