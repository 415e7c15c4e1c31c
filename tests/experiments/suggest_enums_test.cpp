// Edit distance, nearest-name suggestions and the YAML spellings of the enums.
#include <gtest/gtest.h>

#include "experiments/config_enums.h"
#include "experiments/suggest.h"

namespace mmoe::experiments {
namespace {

TEST(Suggest, EditDistanceByHand) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
  EXPECT_EQ(edit_distance("ab", "ba"), 1u);  // one transposition
  EXPECT_EQ(edit_distance("nmu_experts", "num_experts"), 1u);
  EXPECT_EQ(edit_distance("num_expert", "num_experts"), 1u);
  EXPECT_EQ(edit_distance("LR", "lr"), 0u);  // case-insensitive
}

TEST(Suggest, NearestNameWithinAThirdOfTheLength) {
  const std::vector<std::string> train = {"epochs", "batch_size", "eval_batch_size", "seed"};
  EXPECT_EQ(nearest_name("epoch", train), std::optional<std::string>("epochs"));
  EXPECT_EQ(nearest_name("batchsize", train), std::optional<std::string>("batch_size"));
  EXPECT_EQ(nearest_name("learning_rate", {"lr", "eps"}), std::nullopt);
  EXPECT_EQ(nearest_name("xx", {"lr"}), std::nullopt);          // 2 edits > max(1, 2/3)
  EXPECT_EQ(nearest_name("sed", train), std::optional<std::string>("seed"));
  EXPECT_EQ(nearest_name("ab", {"ac", "ad"}), std::optional<std::string>("ac"));  // tie: first
  EXPECT_EQ(nearest_name("seed", train), std::nullopt);          // exact matches not suggested
  EXPECT_EQ(join_names({"a", "b", "c"}), "a, b, c");
}

TEST(ConfigEnums, YamlSpellingsAndTheirParsers) {
  EXPECT_STREQ(to_string(ModelType::kMmoe), "mmoe");
  EXPECT_EQ(enum_names<ModelType>(),
            (std::vector<std::string>{"mmoe", "omoe", "shared_bottom", "single_task", "ple"}));
  EXPECT_EQ(enum_names<LossWeighting>(), (std::vector<std::string>{"fixed", "uncertainty"}));
  EXPECT_EQ(enum_names<RegressionLossType>(), (std::vector<std::string>{"mse", "huber"}));
  EXPECT_EQ(parse_enum<ModelType>("shared_bottom"), ModelType::kSharedBottom);
  EXPECT_EQ(parse_enum<ModelType>("single_task"), ModelType::kSingleTask);
  EXPECT_EQ(parse_enum<LossWeighting>("uncertainty"), LossWeighting::kUncertainty);
  EXPECT_EQ(parse_enum<RegressionLossType>("huber"), RegressionLossType::kHuber);
  EXPECT_EQ(enum_names<Activation>(), (std::vector<std::string>{"relu", "gelu", "silu", "tanh"}));
  EXPECT_EQ(enum_names<Device>(), (std::vector<std::string>{"auto", "cpu", "cuda"}));
  EXPECT_EQ(enum_names<SchedulerType>(), (std::vector<std::string>{"none", "plateau"}));
  EXPECT_EQ(enum_names<ThresholdMode>(), (std::vector<std::string>{"rel", "abs"}));
  EXPECT_EQ(enum_names<MonitorMode>(), (std::vector<std::string>{"auto", "min", "max"}));
  EXPECT_EQ(enum_names<DistributedBackend>(),
            (std::vector<std::string>{"auto", "local", "mpi", "nccl"}));
  EXPECT_EQ(enum_names<ParamGroup>(),
            (std::vector<std::string>{"shared", "experts", "gates", "towers"}));
  EXPECT_EQ(parse_enum<SchedulerType>("plateau"), SchedulerType::kReduceOnPlateau);
  EXPECT_EQ(parse_enum<MonitorMode>("min"), MonitorMode::kMin);
  EXPECT_EQ(parse_enum<ParamGroup>("towers"), ParamGroup::kTowers);
  EXPECT_EQ(parse_enum<DistributedBackend>("nccl"), DistributedBackend::kNccl);
  EXPECT_EQ(parse_enum<Activation>("ReLU"), std::nullopt);
  EXPECT_EQ(parse_enum<Device>(""), std::nullopt);
  for (Activation value : all_values<Activation>()) {
    EXPECT_EQ(parse_enum<Activation>(to_string(value)), value);
  }
}

}  // namespace
}  // namespace mmoe::experiments
