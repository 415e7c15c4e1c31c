// Export renderings: CSV quoting (RFC 4180) and the columns, JSON and JSON lines.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "tracking/run_export_format.h"

namespace mmoe::tracking {
namespace {

std::vector<RunRecord> two_runs() {
  RunRecord a;
  a.summary.id = "0123456789ab";
  a.summary.experiment = "fish, reef";
  a.summary.name = "say \"hi\"";
  a.summary.status = RunStatus::kFinished;
  a.summary.started_at = "2024-05-01T00:00:00.000Z";
  a.summary.ended_at = "2024-05-01T01:00:00.000Z";
  a.summary.epochs_logged = 3;
  a.summary.monitor = "val_weighted_f1";
  a.summary.best_epoch = 2;
  a.summary.best_metric = 0.85;
  a.params = {{"optim.lr", "0.001"}, {"model.num_experts", "8"}};
  a.tags = {{"note", "line1\nline2"}};
  a.final_metrics = {{"val_loss", 0.6}, {"val_weighted_f1", 0.82}};
  RunRecord b;
  b.summary.id = "ba9876543210";
  b.summary.experiment = "fish";
  b.summary.name = "b";
  b.summary.status = RunStatus::kRunning;
  b.summary.stale = true;
  b.summary.started_at = "2024-05-02T00:00:00.000Z";
  b.summary.monitor = "val_loss";
  b.params = {{"model.num_experts", "4"}, {"data.batch_size", "256"}};
  b.final_metrics = {{"val_loss", std::nan("")}};
  return {a, b};
}

TEST(RunExportFormat, CsvFieldsAreQuotedOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field(" padded"), "\" padded\"");
}

TEST(RunExportFormat, CsvHasAHeaderAndOneRowPerRun) {
  const std::string expected =
      "id,experiment,name,status,started_at,ended_at,epochs,monitor,best_epoch,best_metric,error,"
      "params.optim.lr,params.model.num_experts,params.data.batch_size,tags.note,"
      "metrics.val_loss,metrics.val_weighted_f1\r\n"
      "0123456789ab,\"fish, reef\",\"say \"\"hi\"\"\",finished,2024-05-01T00:00:00.000Z,"
      "2024-05-01T01:00:00.000Z,3,val_weighted_f1,2,0.85,,0.001,8,,\"line1\nline2\",0.6,0.82\r\n"
      "ba9876543210,fish,b,stale,2024-05-02T00:00:00.000Z,,0,val_loss,,,,,4,256,,,\r\n";
  EXPECT_EQ(export_runs_text(two_runs(), ExportFormat::kCsv), expected);
}

TEST(RunExportFormat, JsonAndJsonLines) {
  const auto json = nlohmann::json::parse(export_runs_text(two_runs(), ExportFormat::kJson));
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0]["name"], "say \"hi\"");
  EXPECT_EQ(json[0]["params"]["model.num_experts"], "8");
  EXPECT_EQ(json[0]["metrics"]["val_weighted_f1"], 0.82);
  EXPECT_EQ(json[0]["best_epoch"], 2);
  EXPECT_EQ(json[1]["status"], "stale");
  EXPECT_TRUE(json[1]["ended_at"].is_null());
  EXPECT_TRUE(json[1]["metrics"]["val_loss"].is_null());

  const std::string lines = export_runs_text(two_runs(), ExportFormat::kJsonl);
  const auto newline = lines.find('\n');
  ASSERT_NE(newline, std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(lines.substr(0, newline)), json[0]);
  EXPECT_EQ(nlohmann::json::parse(lines.substr(newline + 1)), json[1]);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2);
  EXPECT_EQ(export_runs_text({}, ExportFormat::kJsonl), "");
  EXPECT_EQ(parse_export_format("jsonl"), ExportFormat::kJsonl);
  EXPECT_FALSE(parse_export_format("xlsx").has_value());
}

}  // namespace
}  // namespace mmoe::tracking
