// The console progress text: durations, the bar, step lines, per-task epoch lines, and which
// style train.progress picks.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "cli/progress_format.h"

namespace mmoe::cli {
namespace {

trainer::StepProgress step(int64_t step_in_epoch, int64_t steps, double elapsed) {
  trainer::StepProgress p;
  p.epoch = 2;
  p.epochs = 10;
  p.step_in_epoch = step_in_epoch;
  p.steps_in_epoch = steps;
  p.global_step = 400 + step_in_epoch;
  p.loss = 0.41234;
  p.rows_per_second = 5230.4;
  p.epoch_elapsed_seconds = elapsed;
  p.learning_rates = {{"experts", 1e-3}, {"towers", 5e-4}};
  return p;
}

TEST(ProgressFormat, Durations) {
  EXPECT_EQ(format_duration(0.0), "0s");
  EXPECT_EQ(format_duration(0.4), "0s");
  EXPECT_EQ(format_duration(59.4), "59s");
  EXPECT_EQ(format_duration(59.6), "1m00s");
  EXPECT_EQ(format_duration(65.0), "1m05s");
  EXPECT_EQ(format_duration(3599.0), "59m59s");
  EXPECT_EQ(format_duration(3600.0), "1h00m");
  EXPECT_EQ(format_duration(90061.0), "25h01m");
  EXPECT_EQ(format_duration(-1.0), "--");
  EXPECT_EQ(format_duration(std::numeric_limits<double>::infinity()), "--");
  EXPECT_EQ(format_duration(std::nan("")), "--");
}

TEST(ProgressFormat, EtaIsTheRemainingStepsAtTheMeanStepTime) {
  EXPECT_DOUBLE_EQ(epoch_eta_seconds(step(100, 400, 20.0)), 60.0);  // 0.2 s per step, 300 left
  EXPECT_DOUBLE_EQ(epoch_eta_seconds(step(400, 400, 80.0)), 0.0);
  EXPECT_EQ(epoch_eta_seconds(step(1, 400, 0.0)), -1.0);  // nothing timed yet
}

TEST(ProgressFormat, Bar) {
  EXPECT_EQ(format_bar(0, 10, 10), "[          ]");
  EXPECT_EQ(format_bar(1, 10, 10), "[=>        ]");
  EXPECT_EQ(format_bar(5, 10, 10), "[=====>    ]");
  EXPECT_EQ(format_bar(10, 10, 10), "[==========]");
  EXPECT_EQ(format_bar(3, 8, 4), "[=>  ]");    // 3 * 4 / 8 = 1 full cell
  EXPECT_EQ(format_bar(20, 10, 4), "[====]");  // clamped
  EXPECT_EQ(format_bar(0, 0, 3), "[   ]");
}

TEST(ProgressFormat, BarAndStepLines) {
  EXPECT_EQ(format_bar_line(step(100, 400, 20.0), 8), "epoch 2/10 [==>     ] 100/400 loss 0.4123 5230 rows/s eta 1m00s");
  EXPECT_EQ(format_step_line(step(100, 400, 20.0)), "epoch 2/10 step 100/400 loss 0.4123 lr 1.00e-03 5230 rows/s eta 1m00s");
  auto skipped = step(3, 400, 0.0);
  skipped.loss = std::numeric_limits<double>::infinity();
  skipped.skipped = true;
  EXPECT_EQ(format_step_line(skipped), "epoch 2/10 step 3/400 loss inf (skipped) lr 1.00e-03 5230 rows/s eta --");
}

TEST(ProgressFormat, Scores) {
  trainer::TaskScores classification;
  classification.loss = 0.41;
  classification.accuracy = 0.87;
  classification.weighted_f1 = 0.86;
  classification.micro_f1 = 0.87;
  EXPECT_EQ(format_scores(classification), "loss 0.4100 acc 0.8700 wF1 0.8600");
  trainer::TaskScores multilabel;
  multilabel.loss = 0.3;
  multilabel.weighted_f1 = 0.8;
  multilabel.micro_f1 = 0.81;
  EXPECT_EQ(format_scores(multilabel), "loss 0.3000 wF1 0.8000 miF1 0.8100");
  trainer::TaskScores regression;
  regression.loss = 0.25;
  regression.mae = 0.39;
  regression.rmse = 0.5;
  EXPECT_EQ(format_scores(regression), "loss 0.2500 mae 0.3900 rmse 0.5000");
  EXPECT_EQ(format_scores(trainer::TaskScores{}), "-");
}

TEST(ProgressFormat, EpochLinesOnePerTask) {
  trainer::EpochReport r;
  r.epoch = 3;
  r.epochs = 10;
  r.train_loss = 1.5;
  r.val_loss = 1.25;
  r.monitor = "val_weighted_f1";
  r.monitor_value = 0.86;
  r.is_best = true;
  r.learning_rates = {{"experts", 1e-3}};
  r.grad_norm = 2.5;
  r.skipped_steps = 2;
  r.epoch_seconds = 12.34;
  r.rows_per_second = 5000.0;
  r.tasks = {"species", "age"};
  trainer::TaskScores train_species, val_species, train_age, val_age;
  train_species.loss = 0.41;
  train_species.accuracy = 0.87;
  train_species.weighted_f1 = 0.86;
  val_species.loss = 0.5;
  val_species.accuracy = 0.8;
  val_species.weighted_f1 = 0.79;
  train_age.loss = 0.2;
  train_age.mae = 0.3;
  train_age.rmse = 0.4;
  val_age.loss = 0.25;
  val_age.mae = 0.35;
  val_age.rmse = 0.45;
  r.train = {train_species, train_age};
  r.val = {val_species, val_age};
  r.early_stop = true;
  const auto lines = format_epoch_lines(r);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0],
            "epoch 3/10 train_loss 1.5000 val_loss 1.2500 val_weighted_f1 0.8600 (best) lr 1.00e-03 grad_norm 2.5 "
            "skipped_steps 2 12.3s 5000 rows/s");
  EXPECT_EQ(lines[1], "epoch 3/10 species  loss 0.4100 acc 0.8700 wF1 0.8600 | val loss 0.5000 acc 0.8000 wF1 0.7900");
  EXPECT_EQ(lines[2], "epoch 3/10 age      loss 0.2000 mae 0.3000 rmse 0.4000 | val loss 0.2500 mae 0.3500 rmse 0.4500");
  EXPECT_EQ(lines[3],
            "early stopping: val_weighted_f1 has not improved for train.early_stopping_patience epochs; training ends "
            "after epoch 3");
  // val_loss as the monitor is not repeated; no grad norm, skipped steps or early stop to show.
  r.monitor = "val_loss";
  r.monitor_value = 1.25;
  r.is_best = false;
  r.grad_norm.reset();
  r.skipped_steps = 0;
  r.early_stop = false;
  EXPECT_EQ(format_epoch_lines(r)[0], "epoch 3/10 train_loss 1.5000 val_loss 1.2500 lr 1.00e-03 12.3s 5000 rows/s");
}

TEST(ProgressFormat, AutoPicksTheBarOnATerminalOnly) {
  using experiments::ProgressMode;
  EXPECT_EQ(resolve_progress_style(ProgressMode::kAuto, true), ProgressStyle::kBar);
  EXPECT_EQ(resolve_progress_style(ProgressMode::kAuto, false), ProgressStyle::kLines);
  EXPECT_EQ(resolve_progress_style(ProgressMode::kBar, false), ProgressStyle::kBar);
  EXPECT_EQ(resolve_progress_style(ProgressMode::kLines, true), ProgressStyle::kLines);
  EXPECT_EQ(resolve_progress_style(ProgressMode::kNone, true), ProgressStyle::kNone);
}

}  // namespace
}  // namespace mmoe::cli
