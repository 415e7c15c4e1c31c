// train.monitor (val_<metric> or val/<task>/<metric>), train.monitor_mode, and the multilabel
// tasks.<name>.threshold: parsing, round trips through the resolved YAML, and bad values.
#include <gtest/gtest.h>

#include "config_test_util.h"
#include "experiments/config_equal.h"
#include "experiments/config_loader.h"
#include "experiments/monitor_spec.h"

namespace mmoe::experiments {
namespace {

using testing::error_of;
using testing::load;
using testing::param;

std::string with_dir(const std::string& yaml) { return "data: {dir: /d}\n" + yaml; }

TEST(MonitorSpec, ParsesMeansAndOneTaskMetrics) {
  EXPECT_EQ(parse_monitor("val_weighted_f1"), (MonitorSpec{MonitorMetric::kWeightedF1, ""}));
  EXPECT_EQ(parse_monitor("val_loss"), (MonitorSpec{MonitorMetric::kLoss, ""}));
  EXPECT_EQ(parse_monitor("val_auc"), (MonitorSpec{MonitorMetric::kAuc, ""}));
  EXPECT_EQ(parse_monitor("val_r2"), (MonitorSpec{MonitorMetric::kR2, ""}));
  EXPECT_EQ(parse_monitor("val/fish/macro_f1"), (MonitorSpec{MonitorMetric::kMacroF1, "fish"}));
  EXPECT_EQ(parse_monitor("val/trophic-level/rmse"), (MonitorSpec{MonitorMetric::kRmse, "trophic-level"}));
  // The metric is after the last '/', so a task name may hold one.
  EXPECT_EQ(parse_monitor("val/a/b/loss"), (MonitorSpec{MonitorMetric::kLoss, "a/b"}));
  for (const char* bad : {"", "val_", "val_f1", "weighted_f1", "train_loss", "val/fish", "val//macro_f1",
                          "val/fish/", "val/fish/f1", "VAL_LOSS", "val_loss "}) {
    EXPECT_EQ(parse_monitor(bad), std::nullopt) << bad;
  }
}

TEST(MonitorSpec, NamesRoundTripAndModesFollowTheMetric) {
  for (MonitorMetric metric : all_monitor_metrics()) {
    for (const char* task : {"", "fish"}) {
      const MonitorSpec spec{metric, task};
      EXPECT_EQ(parse_monitor(to_string(spec)), spec) << to_string(spec);
    }
  }
  EXPECT_EQ(to_string(MonitorSpec{MonitorMetric::kMacroF1, "fish"}), "val/fish/macro_f1");
  EXPECT_EQ(to_string(MonitorSpec{MonitorMetric::kSamplesF1, ""}), "val_samples_f1");
  // Lower is better for loss and errors only.
  EXPECT_TRUE(lower_is_better(MonitorMetric::kLoss));
  EXPECT_TRUE(lower_is_better(MonitorMetric::kMae));
  EXPECT_TRUE(lower_is_better(MonitorMetric::kRmse));
  for (MonitorMetric metric : {MonitorMetric::kWeightedF1, MonitorMetric::kMacroF1, MonitorMetric::kMicroF1,
                               MonitorMetric::kSamplesF1, MonitorMetric::kAccuracy, MonitorMetric::kAuc,
                               MonitorMetric::kR2}) {
    EXPECT_FALSE(lower_is_better(metric)) << metric_name(metric);
  }
}

TEST(ConfigMonitor, ReadsFromFileAndOverrideAndResolvesToTheSameText) {
  const LoadedConfig from_file = load(with_dir("train: {monitor: val/fish/macro_f1, monitor_mode: min}\n"));
  EXPECT_EQ(from_file.config.train.monitor, (MonitorSpec{MonitorMetric::kMacroF1, "fish"}));
  EXPECT_EQ(from_file.config.train.monitor_mode, MonitorMode::kMin);
  EXPECT_EQ(param(from_file, "train.monitor"), "val/fish/macro_f1");
  EXPECT_EQ(param(from_file, "train.monitor_mode"), "min");
  const LoadedConfig from_override =
      load(with_dir(""), {"train.monitor=val/fish/macro_f1", "train.monitor_mode=min"});
  EXPECT_EQ(from_override.resolved_yaml, from_file.resolved_yaml);
  EXPECT_EQ(from_override.hash, from_file.hash);
  // The resolved text loads back to the same config.
  EXPECT_EQ(load(from_file.resolved_yaml).config, from_file.config);
  EXPECT_EQ(load(with_dir("train: {monitor: val_auc}\n")).config.train.monitor,
            (MonitorSpec{MonitorMetric::kAuc, ""}));
}

TEST(ConfigMonitor, RefusesUnknownMetricsListingTheValidOnes) {
  const std::string choices =
      "val_weighted_f1, val_loss, val_macro_f1, val_micro_f1, val_samples_f1, val_accuracy, val_auc, val_mae, "
      "val_rmse, val_r2, or val/<task>/<metric> with <metric> one of weighted_f1, loss, macro_f1, micro_f1, "
      "samples_f1, accuracy, auc, mae, rmse, r2";
  EXPECT_EQ(error_of(with_dir("train: {monitor: val/fish/f1}\n")),
            "cfg.yaml: train.monitor: must be one of " + choices + " (got 'val/fish/f1')");
  EXPECT_EQ(error_of(with_dir("train: {monitor: val_macro_f}\n")),
            "cfg.yaml: train.monitor: must be one of " + choices + " (got 'val_macro_f'); did you mean 'val_macro_f1'?");
  EXPECT_EQ(error_of(with_dir("train: {monitor: [val_loss]}\n")),
            "cfg.yaml: train.monitor: must be one of " + choices + " (got a list of 1 item)");
  EXPECT_EQ(error_of(with_dir(""), {"train.monitor=val//loss"}),
            "override 'train.monitor=val//loss': train.monitor: must be one of " + choices +
                " (got 'val//loss'); did you mean 'val_loss'?");
}

TEST(ConfigThreshold, DefaultsToOneHalfAndMustLieStrictlyBetweenZeroAndOne) {
  EXPECT_EQ(load(with_dir("tasks: {habitat: {}}\n")).config.tasks.at("habitat").threshold, 0.5);
  const LoadedConfig set = load(with_dir("tasks: {habitat: {threshold: 0.3}}\n"));
  EXPECT_EQ(set.config.tasks.at("habitat").threshold, 0.3);
  EXPECT_EQ(param(set, "tasks.habitat.threshold"), "0.3");
  const std::string hint = "; a label is predicted when sigmoid(logit) >= threshold; 0.5 is the default";
  EXPECT_EQ(error_of(with_dir("tasks: {habitat: {threshold: 0}}\n")),
            "cfg.yaml: tasks.habitat.threshold: must be in (0, 1) (got 0)" + hint);
  EXPECT_EQ(error_of(with_dir("tasks: {habitat: {threshold: 1}}\n")),
            "cfg.yaml: tasks.habitat.threshold: must be in (0, 1) (got 1)" + hint);
  EXPECT_EQ(error_of(with_dir("tasks: {habitat: {threshold: high}}\n")),
            "cfg.yaml: tasks.habitat.threshold: expected a number (got 'high'); write a number such as 0.5");
}

}  // namespace
}  // namespace mmoe::experiments
