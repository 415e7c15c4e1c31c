// `mmoe train` with a one-task monitor: the run's monitor and mode, the best epoch and value it
// stores, and the per-epoch means (val_macro_f1, val_auc, val_r2, ...) in the metrics table.
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/store_probe.h"

namespace mmoe::e2e {
namespace {

class Monitoring : public MmoeCli {
 protected:
  ProcessResult train(std::vector<std::string> overrides) const {
    std::vector<std::string> args = {"train", config_path_.string(), "tracking.store=" + store_.string()};
    args.insert(args.end(), overrides.begin(), overrides.end());
    return mmoe(args);
  }
};

TEST_F(Monitoring, OneTaskMacroF1PicksTheEpochWithItsHighestStoredValue) {
  // A high learning rate so the value moves up and down across epochs.
  const auto r = train({"train.monitor=val/color/macro_f1", "train.epochs=5", "optim.lr=0.02"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto runs = query(store_, "SELECT monitor, monitor_mode, best_epoch, best_metric FROM runs");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0][0], "val/color/macro_f1");
  EXPECT_EQ(runs[0][1], "max");
  // The highest stored validation macro F1 of color; ties go to the earliest epoch.
  const auto per_epoch = query(store_,
                               "SELECT epoch, macro_f1 FROM task_metrics WHERE task = 'color' AND split = 'val' "
                               "ORDER BY epoch");
  ASSERT_EQ(per_epoch.size(), 5u);
  int64_t best_epoch = 0;
  double best = -1.0;
  for (const auto& row : per_epoch) {
    const double value = std::stod(row[1]);
    if (value > best) {
      best = value;
      best_epoch = std::stoll(row[0]);
    }
  }
  EXPECT_EQ(std::stoll(runs[0][2]), best_epoch);
  EXPECT_DOUBLE_EQ(std::stod(runs[0][3]), best);
  // The monitored value is logged per epoch under its own name and equals the task's value.
  const auto logged = query(store_, "SELECT epoch, value FROM metrics WHERE key = 'val/color/macro_f1' ORDER BY epoch");
  ASSERT_EQ(logged.size(), 5u);
  for (size_t e = 0; e < logged.size(); ++e) {
    EXPECT_EQ(logged[e][0], per_epoch[e][0]);
    EXPECT_DOUBLE_EQ(std::stod(logged[e][1]), std::stod(per_epoch[e][1]));
  }
  // The means over tasks are logged every epoch: F1s over category, color, style; AUC over
  // style (the only task with one); R^2 over price.
  for (const char* key : {"val_weighted_f1", "val_macro_f1", "val_micro_f1", "val_samples_f1", "val_accuracy",
                          "val_auc", "val_mae", "val_rmse", "val_r2"}) {
    EXPECT_EQ(query(store_, std::string("SELECT count(*) FROM metrics WHERE key = '") + key + "'")[0][0], "5") << key;
  }
  const auto r2 = query(store_, "SELECT m.value, t.rmse FROM metrics m JOIN task_metrics t ON t.epoch = m.epoch "
                                "WHERE m.key = 'val_rmse' AND t.task = 'price' AND t.split = 'val'");
  ASSERT_EQ(r2.size(), 5u);
  for (const auto& row : r2) EXPECT_DOUBLE_EQ(std::stod(row[0]), std::stod(row[1]));  // one regression task
  // The task rows carry AUC (style), R^2 (price) and samples F1 (style); every classification
  // task on both splits has one class row per class whose supports add up to its labelled rows.
  EXPECT_EQ(query(store_, "SELECT count(*) FROM task_metrics WHERE task = 'style' AND auc IS NOT NULL AND "
                          "samples_f1 IS NOT NULL")[0][0], "10");
  EXPECT_EQ(query(store_, "SELECT count(*) FROM task_metrics WHERE task = 'price' AND r2 IS NOT NULL")[0][0], "10");
  EXPECT_EQ(query(store_, "SELECT count(*) FROM class_metrics WHERE task = 'color'")[0][0], "40");  // 4 x 2 x 5
  const auto supports = query(store_,
                              "SELECT t.labelled_rows, (SELECT sum(c.support) FROM class_metrics c WHERE c.run_id = "
                              "t.run_id AND c.epoch = t.epoch AND c.task = t.task AND c.split = t.split) "
                              "FROM task_metrics t WHERE t.task IN ('category', 'color')");
  ASSERT_EQ(supports.size(), 20u);
  for (const auto& row : supports) EXPECT_EQ(row[0], row[1]);
}

TEST_F(Monitoring, AnExplicitModeIsStoredWithTheRun) {
  const auto r = train({"train.monitor=val_macro_f1", "train.monitor_mode=min", "train.epochs=2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query(store_, "SELECT monitor, monitor_mode FROM runs")[0],
            (std::vector<std::string>{"val_macro_f1", "min"}));
}

TEST_F(Monitoring, LossMonitorOfOneTaskIsMinimised) {
  const auto r = train({"train.monitor=val/price/loss", "train.epochs=3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto runs = query(store_, "SELECT monitor, monitor_mode, best_epoch, best_metric FROM runs");
  EXPECT_EQ(runs[0][0], "val/price/loss");
  EXPECT_EQ(runs[0][1], "min");
  const auto lowest = query(store_,
                            "SELECT epoch, loss FROM task_metrics WHERE task = 'price' AND split = 'val' "
                            "ORDER BY loss ASC, epoch ASC LIMIT 1");
  EXPECT_EQ(runs[0][2], lowest[0][0]);
  EXPECT_DOUBLE_EQ(std::stod(runs[0][3]), std::stod(lowest[0][1]));
}

}  // namespace
}  // namespace mmoe::e2e
