// compare_runs: params that differ (absent counts as different), equal ones counted, final
// metrics side by side.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tracking/run_compare.h"

namespace mmoe::tracking {
namespace {

RunDetail run(const std::string& id, std::vector<std::pair<std::string, std::string>> params,
              double last_f1, std::optional<double> best) {
  RunDetail detail;
  detail.summary.id = id;
  detail.summary.name = "run-" + id.substr(0, 2);
  detail.summary.best_metric = best;
  detail.params = std::move(params);
  detail.epochs = {EpochRow{1, 10, {{"val_weighted_f1", 0.5}, {"val_loss", 0.9}}},
                   EpochRow{2, 20, {{"val_weighted_f1", last_f1}}}};
  TaskMetricsRecord family;
  family.task = "family";
  family.split = "val";
  family.accuracy = last_f1 + 0.1;
  detail.final_task_metrics = {family};
  return detail;
}

TEST(RunCompare, DifferingParamsAndFinalMetrics) {
  const RunComparison c = compare_runs(
      {run("aa0000000000", {{"optim.lr", "0.001"}, {"model.num_experts", "8"}, {"seed", "1"}}, 0.8, 0.81),
       run("bb0000000000", {{"optim.lr", "0.001"}, {"model.num_experts", "4"}}, 0.7, std::nullopt)});
  EXPECT_EQ(c.equal_params, 1);  // optim.lr
  ASSERT_EQ(c.differing_params.size(), 2u);
  EXPECT_EQ(c.differing_params[0].key, "model.num_experts");
  EXPECT_EQ(c.differing_params[0].values,
            (std::vector<std::optional<std::string>>{"8", "4"}));
  EXPECT_EQ(c.differing_params[1].key, "seed");
  EXPECT_EQ(c.differing_params[1].values,
            (std::vector<std::optional<std::string>>{"1", std::nullopt}));
  std::vector<std::string> keys;
  for (const auto& row : c.metrics) keys.push_back(row.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"best", "val_loss", "val_weighted_f1",
                                            "family/val/accuracy"}));
  EXPECT_EQ(c.metrics[0].values, (std::vector<std::optional<double>>{0.81, std::nullopt}));
  EXPECT_EQ(c.metrics[1].values, (std::vector<std::optional<double>>{0.9, 0.9}));  // epoch 1: its latest
  EXPECT_EQ(c.metrics[2].values, (std::vector<std::optional<double>>{0.8, 0.7}));
  EXPECT_DOUBLE_EQ(*c.metrics[3].values[1], 0.8);

  const std::string text = format_comparison(c);
  EXPECT_NE(text.find("params that differ (1 more equal)"), std::string::npos) << text;
  EXPECT_NE(text.find("aa0000000000 run-aa"), std::string::npos) << text;
  EXPECT_NE(text.find("  seed               1                    -"), std::string::npos) << text;
  const auto json = nlohmann::json::parse(comparison_to_json(c));
  EXPECT_EQ(json["differing_params"][1]["values"][1], nullptr);
  EXPECT_EQ(json["metrics"][2]["values"][1], 0.7);
  EXPECT_EQ(json["equal_params"], 1);
}

}  // namespace
}  // namespace mmoe::tracking
