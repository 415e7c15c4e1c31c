// Text renderings: run table, run detail (epoch table, task metrics, gates, collapse warnings),
// number formatting.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "test_store.h"
#include "tracking/gate_health.h"
#include "tracking/number_format.h"
#include "tracking/run_format.h"
#include "tracking/text_table.h"

namespace mmoe::tracking {
namespace {

using testing::TempDir;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

RunSummary summary(const std::string& id, const std::string& name, RunStatus status) {
  RunSummary run;
  run.id = id;
  run.experiment = "fish";
  run.name = name;
  run.status = status;
  run.started_at = "2024-05-01T12:34:56.789Z";
  run.epochs_logged = 12;
  run.monitor = "val_weighted_f1";
  return run;
}

// A run whose family gate starves expert 2 (0.4% < 1/(10*4) = 2.5%) and whose habitat gate
// gives expert 0 91% of the weight (its other experts, at 3%, are above 2.5%).
RunDetail collapsed_run() {
  RunDetail run;
  run.summary = summary("0123456789ab", "fish-gates", RunStatus::kFinished);
  run.summary.best_epoch = 2;
  run.summary.best_metric = 0.8123;
  run.summary.ended_at = "2024-05-01T13:00:00.000Z";
  run.config_yaml = "model:\n  experts: 4\n";
  run.tags = {{"owner", "ana"}};
  run.host = "node07";
  run.world_size = 8;
  run.command_line = "mmoe train --config fish.yaml";
  run.epochs = {EpochRow{1, 50, {{"lr/experts", 3e-4}, {"val_loss", 0.9}, {"train_loss", 1.25},
                                 {"epoch_time_s", 12.5}, {"val_weighted_f1", 0.75}}},
                EpochRow{2, 100, {{"val_loss", 0.8}, {"train_loss", 1.0}, {"val_weighted_f1", 0.8123}}}};
  TaskMetricsRecord family{"family", "val", 900, 0.5, 0.82, 0.61, 0.8123, 0.82, {}, {}, {}, {}, {}, {}};
  TaskMetricsRecord trophic{"trophic", "val", 850, 0.25, {}, {}, {}, {}, 0.31, 0.42, {}, {}, {}, {}};
  run.final_task_metrics = {family, trophic};
  run.final_gates = {GateRecord{"family", {0.5, 0.3, 0.004, 0.196}, 1.0512, 0.7583},
                     GateRecord{"habitat", {0.91, 0.03, 0.03, 0.03}, 0.3112, 0.2245}};
  return run;
}

TEST(NumberFormat, ChoosesPrecisionByMagnitude) {
  EXPECT_EQ(format_number(0.81234), "0.8123");
  EXPECT_EQ(format_number(12.5), "12.5000");
  EXPECT_EQ(format_number(24118.53), "24118.5");
  EXPECT_EQ(format_number(3e-4), "3.000e-04");
  EXPECT_EQ(format_number(0.0), "0");
  EXPECT_EQ(format_number(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(format_number(std::optional<double>()), "-");
  EXPECT_EQ(format_percent(0.25), "25.0%");
  EXPECT_EQ(format_percent(0.004), "0.4%");
  EXPECT_EQ(format_percent(0.00042), "0.042%");
  EXPECT_EQ(format_percent(0.0), "0%");
}

TEST(TextTableTest, AlignsColumnsAndTrimsTrailingSpaces) {
  TextTable table({"name", "n"});
  table.set_align(1, TextTable::Align::kRight);
  table.add_row({"α-long", "7"});
  table.add_row({"b", "12"});
  EXPECT_EQ(table.render("  "), "  name     n\n  α-long   7\n  b       12\n");
}

TEST(RunTable, EmptyListSaysNoRuns) { EXPECT_EQ(format_run_table({}), "no runs\n"); }

TEST(RunTable, AlignsEveryColumn) {
  RunSummary best = summary("0123456789ab", "fish-baseline", RunStatus::kFinished);
  best.best_epoch = 7;
  best.best_metric = 0.8123;
  RunSummary failed = summary("fedcba987654", "f", RunStatus::kFailed);
  failed.epochs_logged = 3;
  const std::string table = format_run_table({best, failed});
  const auto lines = lines_of(table);
  ASSERT_EQ(lines.size(), 3u) << table;
  EXPECT_EQ(lines[0].find("id"), 0u);
  const std::size_t status_column = lines[0].find("status");
  EXPECT_EQ(lines[1].find("finished"), status_column);
  EXPECT_EQ(lines[2].find("failed"), status_column);
  const std::size_t best_column = lines[0].find("best");
  EXPECT_EQ(lines[1].find("0.8123 @ 7"), best_column);
  EXPECT_EQ(lines[2].find("-", best_column), best_column);
  EXPECT_TRUE(contains(lines[1], "2024-05-01 12:34:56"));
  EXPECT_TRUE(contains(lines[1], "fish-baseline"));
  // Epochs are right-aligned: "12" and " 3" end in the same column.
  const std::size_t epochs_end = lines[0].find("epochs") + std::string("epochs").size();
  EXPECT_EQ(lines[1].substr(epochs_end - 2, 2), "12");
  EXPECT_EQ(lines[2].substr(epochs_end - 2, 2), " 3");
}

TEST(RunDetailText, ShowsHeaderConfigEpochsTasksAndGates) {
  const std::string text = format_run_detail(collapsed_run());
  EXPECT_TRUE(contains(text, "run 0123456789ab  fish-gates\n")) << text;
  EXPECT_TRUE(contains(text, "  status       finished\n"));
  EXPECT_TRUE(contains(text, "  monitor      val_weighted_f1, best 0.8123 at epoch 2\n"));
  EXPECT_TRUE(contains(text, "  host         node07 (world size 8)\n"));
  EXPECT_TRUE(contains(text, "  git commit   -\n"));
  EXPECT_TRUE(contains(text, "tags\n  owner = ana\n"));
  EXPECT_TRUE(contains(text, "config (resolved)\n  model:\n    experts: 4\n"));

  // Epoch table: leading keys first, then the rest sorted; absent values are '-'.
  EXPECT_TRUE(contains(text, "  epoch  step  train_loss  val_loss  val_weighted_f1  epoch_time_s"
                             "  lr/experts\n"))
      << text;
  EXPECT_TRUE(contains(text, "      1    50      1.2500    0.9000           0.7500       12.5000"
                             "   3.000e-04\n"))
      << text;
  EXPECT_TRUE(contains(text, "      2   100      1.0000    0.8000           0.8123             -"
                             "           -\n"))
      << text;

  EXPECT_TRUE(contains(text, "final task metrics (epoch 2)\n"));
  EXPECT_TRUE(contains(text, "  family   val     900  0.5000    0.8200    0.6100       0.8123"
                             "    0.8200       -       -\n"))
      << text;
  EXPECT_TRUE(contains(text, "  trophic  val     850  0.2500         -         -            -"
                             "         -  0.3100  0.4200\n"))
      << text;

  EXPECT_TRUE(contains(text, "gate utilization (epoch 2)\n"));
  EXPECT_TRUE(contains(text, "  family   50.0%  30.0%  0.4%  19.6%        1.0512              0.7583\n"))
      << text;
  EXPECT_TRUE(contains(text, "  habitat  91.0%   3.0%  3.0%   3.0%        0.3112              0.2245\n"))
      << text;
  // The warnings close the report, one line each, flush left so that grep finds them.
  const std::string warnings =
      "collapse warning: task family expert 2 utilization 0.4% < 1/(10E) = 2.5%\n"
      "collapse warning: task habitat expert 0 utilization 91.0% > 90%\n";
  EXPECT_EQ(text.substr(text.size() - warnings.size()), warnings) << text;
}

TEST(RunDetailText, RunWithNothingLoggedSaysSo) {
  RunDetail run;
  run.summary = summary("0123456789ab", "empty", RunStatus::kRunning);
  run.summary.epochs_logged = 0;
  const std::string text = format_run_detail(run);
  EXPECT_TRUE(contains(text, "  ended        -\n"));
  EXPECT_TRUE(contains(text, "tags: none\n"));
  EXPECT_TRUE(contains(text, "epochs: none logged\n"));
  EXPECT_TRUE(contains(text, "final task metrics: none logged\n"));
  EXPECT_TRUE(contains(text, "gates: none logged\n"));
  EXPECT_FALSE(contains(text, "collapse warning"));
}

TEST(GateHealth, WarnsOnlyAboutStarvedOrDominantExperts) {
  EXPECT_TRUE(collapse_warnings({GateRecord{"even", {0.25, 0.25, 0.25, 0.25}, 1.386, 1.0}}).empty());
  EXPECT_TRUE(collapse_warnings({GateRecord{"single", {1.0}, 0.0, 0.0}}).empty());
  // Threshold 1/(10*2) = 5%: 4.9% is starved; the other expert has 95.1% > 90%.
  const auto warnings = collapse_warnings({GateRecord{"pair", {0.049, 0.951}, 0.2, 0.3}});
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], "collapse warning: task pair expert 0 utilization 4.9% < 1/(10E) = 5%");
  EXPECT_EQ(warnings[1], "collapse warning: task pair expert 1 utilization 95.1% > 90%");
}

TEST(RunDetailText, RendersAStoredRun) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = store.create_run(testing::sample_run("fish", "stored"));
  store.log_epoch(id, testing::sample_epoch(1));
  const std::string text = format_run_detail(store.get_run(id));
  EXPECT_TRUE(contains(text, "run " + id + "  stored\n"));
  EXPECT_TRUE(contains(text, "  purpose = baseline\n"));
  EXPECT_TRUE(contains(text, "  trophic  25.0%  25.0%  25.0%  25.0%"));
  EXPECT_FALSE(contains(text, "collapse warning"));  // family's 10% is above 2.5%
  const std::string table = format_run_table(store.list_runs());
  EXPECT_TRUE(contains(table, id));
  EXPECT_TRUE(contains(table, "running"));
}

}  // namespace
}  // namespace mmoe::tracking

namespace mmoe::tracking {
namespace {

TEST(RunDetailText, StaleRunsAndSchemaTwoMetrics) {
  RunDetail run = collapsed_run();
  run.summary.status = RunStatus::kRunning;
  run.summary.stale = true;
  run.summary.heartbeat_at = "2024-05-01T12:40:00.000Z";
  run.final_task_metrics[0].auc = 0.93;
  run.final_task_metrics[1].r2 = 0.5;
  run.final_task_metrics[0].classes = {ClassMetricsRecord{0, "Labridae", 0.8, 0.75, 0.7742, 400},
                                       ClassMetricsRecord{1, "Gobiidae", std::nan(""), 0.0, 0.0, 3}};
  const std::string text = format_run_detail(run);
  EXPECT_TRUE(contains(text, "  status       stale (stored as running; no heartbeat since 2024-05-01T12:40:00.000Z)\n"))
      << text;
  const auto lines = lines_of(text);
  const auto header = std::find_if(lines.begin(), lines.end(),
                                   [](const std::string& line) { return contains(line, "  task     split"); });
  ASSERT_NE(header, lines.end()) << text;
  EXPECT_EQ(*header,
            "  task     split  rows    loss  accuracy  macro_f1  weighted_f1  micro_f1     auc     mae    rmse      r2");
  EXPECT_FALSE(contains(*header, "samples_f1")) << "no task has samples_f1";
  EXPECT_EQ(*(header + 1),
            "  family   val     900  0.5000    0.8200    0.6100       0.8123    0.8200  0.9300       -       -       -");
  EXPECT_TRUE(contains(text, "per-class metrics (epoch 2)\n"
                             "  task    split  class  name      precision  recall      f1  support\n"
                             "  family  val        0  Labridae     0.8000  0.7500  0.7742      400\n"
                             "  family  val        1  Gobiidae        nan       0       0        3\n"))
      << text;
  EXPECT_TRUE(contains(format_run_table({run.summary}), " stale "));
}

}  // namespace
}  // namespace mmoe::tracking
