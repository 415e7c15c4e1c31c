// Exports other tools read: the MoE-visualisation training log (JSONL + router affinity CSV) and
// an MLflow file store. Each is parsed back (nlohmann-json, yaml-cpp) and compared with the values
// the store holds, and with values worked out by hand. Also `report --compare`'s ranking.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "image_check.h"
#include "report_fixture.h"
#include "tracking/compare_report.h"
#include "tracking/mlflow_export.h"
#include "tracking/moe_log_export.h"
#include "tracking/report_error.h"

namespace mmoe::tracking {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(MoeLogExport, OneObjectPerEpochWithTheStoredValues) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = testing::log_report_run(store);
  const MoeExport written = export_moe_log(store, id, dir / "moe");
  EXPECT_EQ(written.epochs, 3);
  const std::vector<std::string> lines = lines_of(slurp(written.log));
  ASSERT_EQ(lines.size(), 3u);

  const RunHistory history = store.get_history(id);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(i);
    const auto line = nlohmann::json::parse(lines[i]);
    const int64_t epoch = static_cast<int64_t>(i) + 1;
    EXPECT_EQ(line.at("epoch").get<int64_t>(), epoch);
    EXPECT_FALSE(line.contains("routing_acc"));  // no ground-truth expert in the data
    // metrics: val_accuracy and val_loss as the store has them.
    const EpochRow& row = history.run.epochs[i];
    EXPECT_EQ(line.at("metrics").at("accuracy").get<double>(), row.metrics.at("val_accuracy"));
    EXPECT_EQ(line.at("metrics").at("loss").get<double>(), row.metrics.at("val_loss"));
    EXPECT_DOUBLE_EQ(line.at("metrics").at("loss").get<double>(), 2.0 / static_cast<double>(epoch));
    // Per task, exactly the stored gate.
    for (const GateRecord& gate : history.gates[i].second) {
      EXPECT_EQ(line.at("gates").at(gate.task).at("utilization").get<std::vector<double>>(), gate.utilization);
      EXPECT_EQ(line.at("gates").at(gate.task).at("entropy").get<double>(), gate.entropy_nats);
    }
  }
  // By hand, epoch 1: entropy (1.2799 + 1.3863) / 2 = 1.3331; utilization the mean of
  // (0.4, 0.3, 0.2, 0.1) and (0.25, 0.25, 0.25, 0.25) = (0.325, 0.275, 0.225, 0.175).
  const auto first = nlohmann::json::parse(lines[0]);
  EXPECT_NEAR(first.at("entropy").get<double>(), 1.3331, 1e-12);
  const auto utilization = first.at("utilization").get<std::vector<double>>();
  ASSERT_EQ(utilization.size(), 4u);
  EXPECT_NEAR(utilization[0], 0.325, 1e-12);
  EXPECT_NEAR(utilization[1], 0.275, 1e-12);
  EXPECT_NEAR(utilization[2], 0.225, 1e-12);
  EXPECT_NEAR(utilization[3], 0.175, 1e-12);
  // Epoch 3: family collapsed to (0.94, 0.02, 0.02, 0.02): expert 0 gets (0.94 + 0.25) / 2 = 0.595.
  EXPECT_NEAR(nlohmann::json::parse(lines[2]).at("utilization")[0].get<double>(), 0.595, 1e-12);

  // The final epoch's affinity matrix, task x expert.
  EXPECT_EQ(slurp(written.matrix),
            "task,expert_0,expert_1,expert_2,expert_3\n"
            "family,0.94,0.02,0.02,0.02\n"
            "trophic,0.25,0.25,0.25,0.25\n");
}

TEST(MoeLogExport, BadInputsAreOneLineErrors) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string empty = store.create_run(testing::sample_run("fish"));
  const auto error_of = [&](const std::string& id, const fs::path& out) -> std::string {
    try {
      export_moe_log(store, id, out);
    } catch (const mmoe::Error& error) {
      return error.what();
    }
    return "";
  };
  EXPECT_NE(error_of("ffffff", dir / "a").find("no run 'ffffff' in store"), std::string::npos);
  EXPECT_NE(error_of(empty, dir / "a").find("has no epochs logged"), std::string::npos);
  const std::string full = testing::log_report_run(store);
  std::ofstream(dir / "file") << "x";
  const std::string message = error_of(full, dir / "file");
  EXPECT_NE(message.find("output directory '" + (dir / "file").string() + "' is not writable"), std::string::npos)
      << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(MlflowExport, TimestampsStatusAndExperimentIds) {
  // 2024-05-01T00:00:00Z is 19844 days after 1970-01-01: 19844 * 86400 = 1714521600 s.
  EXPECT_EQ(unix_millis("2024-05-01T00:00:00.000Z"), 1714521600000);
  EXPECT_EQ(unix_millis("2024-05-01T01:02:03.456Z"), 1714521600000 + 3723456);
  EXPECT_EQ(unix_millis("yesterday"), 0);
  EXPECT_EQ(mlflow_status(RunStatus::kRunning), 1);
  EXPECT_EQ(mlflow_status(RunStatus::kFinished), 3);
  EXPECT_EQ(mlflow_status(RunStatus::kFailed), 4);
  EXPECT_EQ(mlflow_status(RunStatus::kInterrupted), 5);
  EXPECT_EQ(mlflow_experiment_id("fish"), mlflow_experiment_id("fish"));
  EXPECT_NE(mlflow_experiment_id("fish"), mlflow_experiment_id("birds"));
  EXPECT_LE(mlflow_experiment_id("fish").size(), 15u);
}

TEST(MlflowExport, FileStoreLayoutCarriesTheStoredValues) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = testing::log_report_run(store);
  store.finish_run(id, RunStatus::kFinished);
  const auto exported = export_mlflow(store, {id.substr(0, 5)}, dir / "mlruns");
  ASSERT_EQ(exported.size(), 1u);
  const std::string experiment_id = mlflow_experiment_id("fish");
  EXPECT_EQ(exported[0].experiment_id, experiment_id);
  const fs::path experiment_dir = dir / "mlruns" / experiment_id;
  const fs::path run_dir = experiment_dir / id;
  EXPECT_EQ(exported[0].run_dir, run_dir);

  const RunHistory history = store.get_history(id);
  const RunSummary& s = history.run.summary;
  const YAML::Node experiment = YAML::LoadFile((experiment_dir / "meta.yaml").string());
  EXPECT_EQ(experiment["experiment_id"].as<std::string>(), experiment_id);
  EXPECT_EQ(experiment["name"].as<std::string>(), "fish");
  EXPECT_EQ(experiment["lifecycle_stage"].as<std::string>(), "active");
  EXPECT_EQ(experiment["artifact_location"].as<std::string>(), "file://" + experiment_dir.string());
  EXPECT_EQ(experiment["creation_time"].as<int64_t>(), unix_millis(s.started_at));

  const YAML::Node meta = YAML::LoadFile((run_dir / "meta.yaml").string());
  EXPECT_EQ(meta["run_id"].as<std::string>(), id);
  EXPECT_EQ(meta["run_uuid"].as<std::string>(), id);
  EXPECT_EQ(meta["run_name"].as<std::string>(), s.name);
  EXPECT_EQ(meta["experiment_id"].as<std::string>(), experiment_id);
  EXPECT_EQ(meta["status"].as<int>(), 3);
  EXPECT_EQ(meta["lifecycle_stage"].as<std::string>(), "active");
  EXPECT_EQ(meta["source_type"].as<int>(), 4);
  EXPECT_EQ(meta["start_time"].as<int64_t>(), unix_millis(s.started_at));
  EXPECT_EQ(meta["end_time"].as<int64_t>(), unix_millis(s.ended_at));
  EXPECT_EQ(meta["artifact_uri"].as<std::string>(), "file://" + (run_dir / "artifacts").string());
  EXPECT_TRUE(meta["tags"].IsSequence());
  EXPECT_TRUE(fs::is_directory(run_dir / "artifacts"));

  // params/<key>: the value, no newline; exactly the stored params.
  std::size_t params = 0;
  for (const auto& entry : fs::directory_iterator(run_dir / "params")) {
    (void)entry;
    ++params;
  }
  EXPECT_EQ(params, history.run.params.size());
  for (const auto& [key, value] : history.run.params) EXPECT_EQ(slurp(run_dir / "params" / key), value) << key;
  for (const auto& [key, value] : history.run.tags) EXPECT_EQ(slurp(run_dir / "tags" / key), value) << key;
  EXPECT_EQ(slurp(run_dir / "tags" / "mlflow.runName"), s.name);

  // metrics/<key>: "timestamp value step" with step = epoch, one line per stored row.
  std::map<std::string, std::vector<const MetricPoint*>> stored;
  for (const MetricPoint& point : history.metric_points) stored[point.key].push_back(&point);
  for (const auto& [key, points] : stored) {
    SCOPED_TRACE(key);
    const std::vector<std::string> lines = lines_of(slurp(run_dir / "metrics" / key));  // lr/experts: a sub-directory
    ASSERT_EQ(lines.size(), points.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::istringstream fields(lines[i]);
      int64_t timestamp = 0;
      double value = 0;
      int64_t step = 0;
      fields >> timestamp >> value >> step;
      EXPECT_EQ(timestamp, unix_millis(points[i]->time));
      EXPECT_EQ(value, points[i]->value);
      EXPECT_EQ(step, points[i]->epoch);
    }
  }
  // Per-task metrics as <split>/<task>/<metric>: family val accuracy 0.6 + epoch / 100.
  const std::vector<std::string> accuracy = lines_of(slurp(run_dir / "metrics" / "val" / "family" / "accuracy"));
  ASSERT_EQ(accuracy.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    std::istringstream fields(accuracy[i]);
    int64_t timestamp = 0;
    double value = 0;
    int64_t step = 0;
    fields >> timestamp >> value >> step;
    EXPECT_DOUBLE_EQ(value, 0.6 + static_cast<double>(i + 1) / 100.0);
    EXPECT_EQ(step, static_cast<int64_t>(i) + 1);
  }
  EXPECT_FALSE(fs::exists(run_dir / "metrics" / "val" / "family" / "mae"));  // not logged for family
}

// Three runs that differ in num_experts and gate type; val_weighted_f1 peaks differently.
std::vector<std::string> log_compare_runs(Store& store) {
  std::vector<std::string> ids;
  const std::vector<std::pair<std::string, double>> setups = {{"4", 0.70}, {"8", 0.82}, {"16", 0.76}};
  for (std::size_t r = 0; r < setups.size(); ++r) {
    NewRun run = testing::sample_run("fish", "r" + std::to_string(r));
    for (auto& [key, value] : run.params) {
      if (key == "model.experts") value = setups[r].first;
    }
    run.params.emplace_back("model.gate", r == 1 ? "noisy_topk" : "softmax");
    const std::string id = store.create_run(run);
    for (int64_t epoch = 1; epoch <= 2; ++epoch) {
      EpochRecord record = testing::sample_epoch(epoch);
      for (auto& [key, value] : record.metrics) {
        if (key == "val_weighted_f1") value = epoch == 1 ? setups[r].second : setups[r].second - 0.05;
      }
      store.log_epoch(id, record);
    }
    ids.push_back(id);
  }
  return ids;
}

TEST(CompareReport, RanksRunsByTheirBestValueAndListsDifferingParams) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::vector<std::string> ids = log_compare_runs(store);
  const CompareReport report = rank_runs(store, ids, "", std::nullopt);
  EXPECT_EQ(report.metric, "val_weighted_f1");  // the first run's monitor
  EXPECT_EQ(report.mode, MetricMode::kMax);
  ASSERT_EQ(report.ranked.size(), 3u);
  EXPECT_EQ(report.ranked[0].summary.id, ids[1]);
  EXPECT_EQ(report.ranked[1].summary.id, ids[2]);
  EXPECT_EQ(report.ranked[2].summary.id, ids[0]);
  EXPECT_DOUBLE_EQ(*report.ranked[0].value, 0.82);
  EXPECT_EQ(report.ranked[0].epoch, std::optional<int64_t>(1));
  ASSERT_EQ(report.params.size(), 2u);
  EXPECT_NE(std::find(report.params.begin(), report.params.end(), "model.experts"), report.params.end());
  EXPECT_NE(std::find(report.params.begin(), report.params.end(), "model.gate"), report.params.end());
  const auto experts = std::find(report.params.begin(), report.params.end(), "model.experts") - report.params.begin();
  EXPECT_EQ(report.ranked[0].params[static_cast<std::size_t>(experts)], "8");

  // min mode turns the order around; a metric nobody logged leaves every value empty.
  const CompareReport lowest = rank_runs(store, ids, "val_weighted_f1", MetricMode::kMin);
  EXPECT_EQ(lowest.ranked[0].summary.id, ids[0]);
  EXPECT_DOUBLE_EQ(*lowest.ranked[0].value, 0.65);
  EXPECT_FALSE(rank_runs(store, ids, "val_nothing", std::nullopt).ranked[0].value.has_value());

  const std::string text = format_compare_report(report);
  EXPECT_NE(text.find("runs ranked by 'val_weighted_f1' (higher is better)"), std::string::npos) << text;
}

TEST(CompareReport, BadInputsAreOneLineErrors) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::vector<std::string> ids = log_compare_runs(store);
  const auto error_of = [&](const std::vector<std::string>& runs) -> std::string {
    try {
      rank_runs(store, runs, "", std::nullopt);
    } catch (const mmoe::Error& error) {
      return error.what();
    }
    return "";
  };
  EXPECT_NE(error_of({ids[0]}).find("--compare needs at least two runs (got 1)"), std::string::npos);
  EXPECT_NE(error_of({ids[0], ids[0].substr(0, 7)}).find("is named twice"), std::string::npos);
  EXPECT_NE(error_of({ids[0], "eeeeee"}).find("no run 'eeeeee'"), std::string::npos);
}

TEST(CompareReport, WritesOneFigurePerDifferingParamAndAPage) {
  if (!testing::have_gnuplot()) GTEST_SKIP() << "gnuplot is not installed (apt-get install gnuplot-nox)";
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::vector<std::string> ids = log_compare_runs(store);
  CompareReportOptions options;
  options.out_dir = dir / "compare";
  const CompareReport report = write_compare_report(store, ids, options);
  ASSERT_EQ(report.plots.size(), 4u);  // two params x two formats
  for (const PlotFile& plot : report.plots) {
    const auto facts = plot.format == PlotFormat::kPng ? testing::inspect_png(plot.path) : testing::inspect_svg(plot.path);
    ASSERT_TRUE(facts.valid) << plot.path << ": " << facts.problem;
    EXPECT_EQ(facts.width, 900);
    EXPECT_EQ(facts.height, 500);
    if (plot.format == PlotFormat::kPng) {
      EXPECT_GT(facts.distinct_colours, 1);
    }
  }
  const std::string html = slurp(report.html);
  EXPECT_NE(html.find("<figure id=\"metric_vs_model_experts\" data-files=\"metric_vs_model_experts.png "
                      "metric_vs_model_experts.svg\">"),
            std::string::npos);
  EXPECT_NE(html.find("<figure id=\"metric_vs_model_gate\""), std::string::npos);
  // The ranked table: the best run first.
  EXPECT_LT(html.find(ids[1]), html.find(ids[2]));
  EXPECT_LT(html.find(ids[2]), html.find(ids[0]));
}

}  // namespace
}  // namespace mmoe::tracking
