// Every architecture and head option trains end to end through `mmoe train`, and `mmoe model`
// describes the configured model without training it.
#include <regex>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/store_probe.h"

namespace mmoe::e2e {
namespace {

using ::testing::HasSubstr;

class Architectures : public MmoeCli {
 protected:
  ProcessResult train(std::vector<std::string> overrides) const {
    std::vector<std::string> args = {"train", config_path_.string(), "tracking.store=" + store_.string()};
    args.insert(args.end(), overrides.begin(), overrides.end());
    return mmoe(args);
  }
  double final_val(const std::string& task, const std::string& column) const {
    const auto rows = query(store_, "SELECT " + column + " FROM final_task_metrics WHERE task = '" + task +
                                        "' AND split = 'val'");
    EXPECT_EQ(rows.size(), 1u) << task;
    return rows.empty() ? -1.0 : std::stod(rows[0][0]);
  }
};

// The fixture's dataset: category (multiclass), color, style, price (regression); see e2e_fixture.
TEST_F(Architectures, EveryModelTypeTrainsAndBeatsChance) {
  for (const char* type : {"omoe", "shared_bottom", "single_task", "ple"}) {
    std::filesystem::remove(store_);
    const auto r = train({std::string("model.type=") + type});
    ASSERT_EQ(r.exit_code, 0) << type << ": " << r.err;
    EXPECT_GT(final_val("category", "weighted_f1"), 0.5) << type;
    EXPECT_LT(final_val("price", "rmse"), 1.2) << type;
  }
}

TEST_F(Architectures, GateStatisticsSayWhatTheModelHas) {
  ASSERT_EQ(train({"model.type=omoe", "train.epochs=1"}).exit_code, 0);
  // One shared gate over 4 experts, not one per task.
  EXPECT_EQ(query(store_, "SELECT DISTINCT task FROM gate_stats")[0][0], "shared");
  EXPECT_EQ(query(store_, "SELECT count(*) FROM gate_stats")[0][0], "4");
  std::filesystem::remove(store_);
  ASSERT_EQ(train({"model.type=shared_bottom", "train.epochs=1"}).exit_code, 0);
  EXPECT_EQ(query(store_, "SELECT count(*) FROM gate_stats")[0][0], "0");
}

TEST_F(Architectures, HeadOptionsFromTheTrainingSplitTrain) {
  const auto r = train({"model.standardize_features=true", "tasks.category.class_weights=balanced",
                        "tasks.price.loss=huber", "tasks.price.huber_delta=0.5", "tasks.price.standardize_target=true",
                        "model.loss_weighting=uncertainty", "model.gate.top_k=2", "model.gate.noisy=true",
                        "model.gate.load_balance_weight=0.01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(final_val("category", "weighted_f1"), 0.5);
  EXPECT_LT(final_val("price", "rmse"), 1.2);
}

TEST_F(Architectures, TaskOptionsOnTheWrongTaskTypeAreRefusedBeforeARunIsCreated) {
  const auto r = train({"tasks.category.standardize_target=true"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("tasks.category.standardize_target: only regression tasks take standardize_target"));
  EXPECT_FALSE(std::filesystem::exists(store_));
  const auto weights = train({"tasks.category.class_weights=[1, 2]"});
  EXPECT_EQ(weights.exit_code, 1);
  EXPECT_THAT(weights.err, HasSubstr("tasks.category.class_weights: 2 weights for"));
}

TEST_F(Architectures, CollapsedGatesAreWarnedAbout) {
  // With 4 experts no expert can reach a utilisation of 0.9 without the others falling below it,
  // so every gate is reported (the rules themselves are unit-tested in models/gating_test).
  const auto r = train({"model.gate.collapse_threshold=0.9", "train.epochs=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* task : {"category", "color", "style", "price"}) {
    EXPECT_THAT(r.err, HasSubstr(std::string("warning: gate '") + task + "'"));
  }
  EXPECT_THAT(r.err, HasSubstr("below 90.0%"));
  std::filesystem::remove(store_);
  const auto healthy = train({"train.epochs=1"});  // default threshold 1/(10E): no warning
  ASSERT_EQ(healthy.exit_code, 0) << healthy.err;
  EXPECT_THAT(healthy.err, ::testing::Not(HasSubstr("warning:")));
}

TEST_F(Architectures, ModelParamsCountsEveryGroupAndMatchesTheBudget) {
  const auto r = mmoe({"model", "params", config_path_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* group : {"shared", "experts", "gates", "towers", "total"}) EXPECT_THAT(r.out, HasSubstr(group));
  EXPECT_THAT(r.out, HasSubstr("one softmax gate per task"));
  const std::regex total_line(R"(total\s+(\d+))");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(r.out, match, total_line)) << r.out;
  const long mmoe_total = std::stol(match[1]);

  const auto sized = mmoe({"model", "params", config_path_.string(), "model.type=shared_bottom",
                           "model.param_budget=" + std::to_string(mmoe_total), "--json"});
  ASSERT_EQ(sized.exit_code, 0) << sized.err;
  const std::regex json_total(R"("total":\s*(\d+))");
  ASSERT_TRUE(std::regex_search(sized.out, match, json_total)) << sized.out;
  const long sized_total = std::stol(match[1]);
  EXPECT_LE(sized_total, mmoe_total);
  EXPECT_GT(sized_total, mmoe_total * 9 / 10);  // the largest network under the budget is close to it
}

TEST_F(Architectures, ModelGraphNamesEveryTaskAndGate) {
  const auto r = mmoe({"model", "graph", config_path_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("digraph"));
  for (const char* task : {"category", "color", "style", "price"}) EXPECT_THAT(r.out, HasSubstr(task));
  EXPECT_THAT(r.out, HasSubstr("gate_3"));
  const auto file = mmoe({"model", "graph", config_path_.string(), "--out", (test_dir_ / "m.dot").string()});
  ASSERT_EQ(file.exit_code, 0) << file.err;
  EXPECT_TRUE(std::filesystem::exists(test_dir_ / "m.dot"));
  const auto bad = mmoe({"model", "graph", config_path_.string(), "--out", (test_dir_ / "m.bmp").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("m.bmp"));
}

TEST_F(Architectures, ModelWithoutSubcommandIsAUsageError) {
  EXPECT_EQ(mmoe({"model"}).exit_code, 2);
  EXPECT_EQ(mmoe({"model", "draw", config_path_.string()}).exit_code, 2);
}

}  // namespace
}  // namespace mmoe::e2e
