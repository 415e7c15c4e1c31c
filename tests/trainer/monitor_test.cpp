// train.monitor resolved against the trained tasks: which task types have which metric, the
// refusals (one line naming train.monitor), the mode, and the per-epoch value.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "trainer/monitor.h"
#include "trainer/train_error.h"

namespace mmoe::trainer {
namespace {

using experiments::MonitorMetric;
using experiments::MonitorMode;
using experiments::MonitorSpec;

models::TaskHeadSpec named_head(const std::string& name, TaskType type, int64_t output_dim) {
  models::TaskHeadSpec spec;
  spec.name = name;
  spec.type = type;
  spec.output_dim = output_dim;
  return spec;
}

// family: multiclass (3), sex: multiclass (2), habitat: multilabel (4), length: regression (1).
std::vector<models::TaskHeadSpec> fish_heads() {
  return {named_head("family", TaskType::kMulticlass, 3), named_head("sex", TaskType::kMulticlass, 2),
          named_head("habitat", TaskType::kMultilabel, 4), named_head("length", TaskType::kRegression, 1)};
}

data::DatasetManifest manifest_of(const std::vector<std::string>& names) {
  data::DatasetManifest manifest;
  for (const auto& name : names) {
    data::TaskSchema task;
    task.name = name;
    manifest.tasks.push_back(task);
  }
  return manifest;
}

const data::DatasetManifest kFish = manifest_of({"family", "sex", "habitat", "length", "depth"});

experiments::TrainConfig monitoring(const std::string& text, MonitorMode mode = MonitorMode::kAuto) {
  experiments::TrainConfig train;
  train.monitor = *experiments::parse_monitor(text);
  train.monitor_mode = mode;
  return train;
}

std::string refusal(const std::string& text, const std::vector<models::TaskHeadSpec>& heads) {
  try {
    Monitor monitor(monitoring(text), heads, kFish);
    ADD_FAILURE() << text << " was accepted";
  } catch (const TrainError& e) {
    return e.what();
  }
  return "";
}

TEST(Monitor, TaskTypesHaveTheirMetrics) {
  const auto heads = fish_heads();
  const auto& family = heads[0];
  const auto& sex = heads[1];
  const auto& habitat = heads[2];
  const auto& length = heads[3];
  for (const auto& h : heads) EXPECT_TRUE(task_has_metric(h, MonitorMetric::kLoss)) << h.name;
  EXPECT_TRUE(task_has_metric(family, MonitorMetric::kAccuracy));
  EXPECT_FALSE(task_has_metric(family, MonitorMetric::kAuc));  // three classes
  EXPECT_TRUE(task_has_metric(sex, MonitorMetric::kAuc));      // two classes
  EXPECT_FALSE(task_has_metric(family, MonitorMetric::kSamplesF1));
  EXPECT_TRUE(task_has_metric(habitat, MonitorMetric::kSamplesF1));
  EXPECT_TRUE(task_has_metric(habitat, MonitorMetric::kAuc));
  EXPECT_FALSE(task_has_metric(habitat, MonitorMetric::kAccuracy));
  EXPECT_TRUE(task_has_metric(length, MonitorMetric::kR2));
  EXPECT_FALSE(task_has_metric(length, MonitorMetric::kMacroF1));
  EXPECT_FALSE(task_has_metric(habitat, MonitorMetric::kMae));
}

TEST(Monitor, ModeFollowsTheMetricUnlessOverridden) {
  const auto heads = fish_heads();
  EXPECT_FALSE(Monitor(monitoring("val_weighted_f1"), heads, kFish).minimize());
  EXPECT_TRUE(Monitor(monitoring("val_loss"), heads, kFish).minimize());
  EXPECT_TRUE(Monitor(monitoring("val_mae"), heads, kFish).minimize());
  EXPECT_TRUE(Monitor(monitoring("val/length/rmse"), heads, kFish).minimize());
  EXPECT_TRUE(Monitor(monitoring("val/family/loss"), heads, kFish).minimize());
  EXPECT_FALSE(Monitor(monitoring("val/length/r2"), heads, kFish).minimize());
  EXPECT_FALSE(Monitor(monitoring("val_auc"), heads, kFish).minimize());
  EXPECT_STREQ(Monitor(monitoring("val_auc"), heads, kFish).mode(), "max");
  const Monitor forced(monitoring("val_r2", MonitorMode::kMin), heads, kFish);
  EXPECT_TRUE(forced.minimize());
  EXPECT_STREQ(forced.mode(), "min");
  EXPECT_FALSE(Monitor(monitoring("val_loss", MonitorMode::kMax), heads, kFish).minimize());
  EXPECT_EQ(Monitor(monitoring("val/habitat/samples_f1"), heads, kFish).name(), "val/habitat/samples_f1");
}

TEST(Monitor, WeightedF1FallsBackToLossWithoutClassificationTasks) {
  const std::vector<models::TaskHeadSpec> regression = {named_head("length", TaskType::kRegression, 1)};
  const Monitor monitor(monitoring("val_weighted_f1"), regression, kFish);
  EXPECT_EQ(monitor.name(), "val_loss");
  EXPECT_TRUE(monitor.minimize());
  EXPECT_EQ(monitor.value({TaskScores{}}, 0.75), 0.75);
}

TEST(Monitor, RefusesWhatTheTasksCannotGive) {
  const auto heads = fish_heads();
  EXPECT_EQ(refusal("val/cod/macro_f1", heads),
            "train.monitor: val/cod/macro_f1: the dataset has no task 'cod' (its tasks: family, sex, habitat, length, "
            "depth)");
  EXPECT_EQ(refusal("val/depth/mae", heads),
            "train.monitor: val/depth/mae: task 'depth' is not trained (tasks: family, sex, habitat, length); add it "
            "to tasks or monitor one of these");
  EXPECT_EQ(refusal("val/family/auc", heads),
            "train.monitor: val/family/auc: 'family' is a multiclass task with 3 classes, which has no auc (its "
            "metrics: weighted_f1, loss, macro_f1, micro_f1, accuracy)");
  EXPECT_EQ(refusal("val/length/accuracy", heads),
            "train.monitor: val/length/accuracy: 'length' is a regression task, which has no accuracy (its metrics: "
            "loss, mae, rmse, r2)");
  EXPECT_EQ(refusal("val/habitat/r2", heads),
            "train.monitor: val/habitat/r2: 'habitat' is a multilabel task, which has no r2 (its metrics: "
            "weighted_f1, loss, macro_f1, micro_f1, samples_f1, auc)");
  const std::vector<models::TaskHeadSpec> classification = {heads[0], heads[2]};
  EXPECT_EQ(refusal("val_r2", classification),
            "train.monitor: val_r2: no trained task has r2; monitor val_loss or a metric of the tasks");
  const std::vector<models::TaskHeadSpec> three_classes = {heads[0]};
  EXPECT_EQ(refusal("val_auc", three_classes),
            "train.monitor: val_auc: no trained task has auc; monitor val_loss or a metric of the tasks");
}

TEST(Monitor, ValueIsTheMeanOverTasksThatHaveItOrOneTasksValue) {
  const auto heads = fish_heads();
  std::vector<TaskScores> val(4);
  val[0].macro_f1 = 0.2;
  val[0].loss = 1.5;
  val[1].macro_f1 = 0.6;
  val[1].auc = 0.9;
  val[2].macro_f1 = 0.7;  // habitat's AUC absent this epoch (one class only)
  val[3].r2 = -0.5;
  val[3].loss = 3.0;
  EXPECT_DOUBLE_EQ(Monitor(monitoring("val_macro_f1"), heads, kFish).value(val, 9.0), 0.5);  // (0.2+0.6+0.7)/3
  EXPECT_DOUBLE_EQ(Monitor(monitoring("val_auc"), heads, kFish).value(val, 9.0), 0.9);
  EXPECT_DOUBLE_EQ(Monitor(monitoring("val_r2"), heads, kFish).value(val, 9.0), -0.5);
  EXPECT_DOUBLE_EQ(Monitor(monitoring("val_loss"), heads, kFish).value(val, 9.0), 9.0);  // the weighted loss
  EXPECT_DOUBLE_EQ(Monitor(monitoring("val/family/loss"), heads, kFish).value(val, 9.0), 1.5);
  EXPECT_DOUBLE_EQ(Monitor(monitoring("val/sex/macro_f1"), heads, kFish).value(val, 9.0), 0.6);
  EXPECT_TRUE(std::isnan(Monitor(monitoring("val/habitat/auc"), heads, kFish).value(val, 9.0)));
  EXPECT_TRUE(std::isnan(Monitor(monitoring("val_accuracy"), heads, kFish).value(val, 9.0)));
}

TEST(Monitor, ImprovesFollowsTheModeAndAbsentValuesNeverImprove) {
  const auto heads = fish_heads();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Monitor max(monitoring("val_macro_f1"), heads, kFish);
  EXPECT_TRUE(max.improves(0.5, nan));  // first value
  EXPECT_TRUE(max.improves(0.6, 0.5));
  EXPECT_FALSE(max.improves(0.5, 0.5));  // ties keep the earlier epoch
  EXPECT_FALSE(max.improves(0.4, 0.5));
  EXPECT_FALSE(max.improves(nan, 0.5));
  EXPECT_FALSE(max.improves(nan, nan));
  const Monitor min(monitoring("val_loss"), heads, kFish);
  EXPECT_TRUE(min.improves(0.4, 0.5));
  EXPECT_FALSE(min.improves(0.6, 0.5));
}

}  // namespace
}  // namespace mmoe::trainer
