// `mmoe report`, `mmoe report --compare`, `mmoe runs export-moe` and `export-mlflow` on real
// training runs; the trainer's confusion matrices are checked against the stored labelled rows.
#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/store_probe.h"

namespace mmoe::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

bool have_gnuplot() { return std::system("gnuplot --version > /dev/null 2>&1") == 0; }

class CliReport : public MmoeCli {
 protected:
  std::string train(const std::string& experts) const {
    const auto r = mmoe({"train", config_path_.string(), "tracking.store=" + store_.string(),
                         "model.num_experts=" + experts});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::smatch match;
    EXPECT_TRUE(std::regex_search(r.out, match, std::regex("run ([0-9a-f]{12}) finished"))) << r.out;
    return match.size() > 1 ? match[1].str() : "";
  }
  std::vector<std::string> with_store(std::vector<std::string> args) const {
    args.push_back("--store");
    args.push_back(store_.string());
    return args;
  }
};

TEST_F(CliReport, TrainingStoresValidationConfusionMatricesOfMulticlassTasks) {
  const std::string id = train("4");
  ASSERT_FALSE(id.empty());
  // Every stored matrix is of a multiclass task on val, and its counts add up to the task's
  // labelled validation rows in the same epoch.
  const auto sums = query(store_,
                          "SELECT c.task, c.epoch, SUM(c.count), t.labelled_rows FROM confusion_matrix AS c "
                          "JOIN task_metrics AS t ON t.run_id = c.run_id AND t.epoch = c.epoch AND t.task = c.task "
                          "AND t.split = c.split WHERE c.run_id = '" + id + "' GROUP BY c.task, c.epoch");
  ASSERT_FALSE(sums.empty()) << "no confusion matrix stored";
  for (const auto& row : sums) EXPECT_EQ(row[2], row[3]) << row[0] << " epoch " << row[1];
  EXPECT_EQ(query(store_, "SELECT DISTINCT split FROM confusion_matrix")[0][0], "val");
  EXPECT_EQ(query(store_, "SELECT COUNT(DISTINCT epoch) FROM confusion_matrix")[0][0], "6");
  // Only multiclass tasks: the ones with an accuracy.
  EXPECT_EQ(query(store_, "SELECT COUNT(*) FROM (SELECT DISTINCT task FROM confusion_matrix) WHERE task NOT IN "
                          "(SELECT task FROM task_metrics WHERE accuracy IS NOT NULL)")[0][0],
            "0");
}

TEST_F(CliReport, ReportWritesPlotsArchitectureAndOnePage) {
  if (!have_gnuplot()) GTEST_SKIP() << "gnuplot is not installed (apt-get install gnuplot-nox)";
  const std::string id = train("4");
  ASSERT_FALSE(id.empty());
  const fs::path out = test_dir_ / "report";
  const auto r = mmoe(with_store({"report", id.substr(0, 6), "--out", out.string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"router_affinity", "router_affinity_epochs", "expert_utilization", "gate_entropy",
                           "task_curves", "learning_rate"}) {
    for (const char* ext : {".png", ".svg"}) {
      EXPECT_TRUE(fs::exists(out / (std::string(name) + ext))) << name << ext;
      EXPECT_THAT(r.out, HasSubstr((out / (std::string(name) + ext)).string()));
    }
  }
  const auto tasks = query(store_, "SELECT DISTINCT task FROM confusion_matrix");
  ASSERT_FALSE(tasks.empty());
  for (const auto& task : tasks) EXPECT_TRUE(fs::exists(out / ("confusion_" + task[0] + ".png"))) << task[0];
  EXPECT_TRUE(fs::exists(out / "architecture.svg"));
  const std::string html = read_file(out / "report.html");
  EXPECT_THAT(html, HasSubstr("<figure id=\"architecture\" data-files=\"architecture.svg\">"));
  EXPECT_THAT(html, HasSubstr("<figure id=\"gate_entropy\" data-files=\"gate_entropy.png gate_entropy.svg\">"));
  EXPECT_THAT(html, HasSubstr("<tr><th>run</th><td>" + id + "</td></tr>"));
}

TEST_F(CliReport, CompareRanksRunsAndPlotsTheDifferingParam) {
  if (!have_gnuplot()) GTEST_SKIP() << "gnuplot is not installed (apt-get install gnuplot-nox)";
  const std::string three = train("3");
  const std::string four = train("4");
  const fs::path out = test_dir_ / "compare";
  const auto r = mmoe(with_store({"report", "--compare", three, four, "--out", out.string(), "--format", "png"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("runs ranked by 'val_weighted_f1' (higher is better)"));
  EXPECT_TRUE(fs::exists(out / "metric_vs_model_num_experts.png"));
  EXPECT_FALSE(fs::exists(out / "metric_vs_model_num_experts.svg"));
  EXPECT_THAT(read_file(out / "compare.html"), HasSubstr("<figure id=\"metric_vs_model_num_experts\""));
}

TEST_F(CliReport, ExportsCarryTheStoredValues) {
  const std::string id = train("4");
  ASSERT_FALSE(id.empty());
  // MoE log: one line per epoch; each task gate as gate_stats holds it (SQL text at 17 digits:
  // sqlite3_column_text alone rounds to 15; SQLite's own printf may be an ulp off, hence DOUBLE_EQ;
  // tests/tracking compares exactly through the Store).
  auto r = mmoe(with_store({"runs", "export-moe", id, "--out", (test_dir_ / "moe").string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream log(read_file(test_dir_ / "moe" / "training_log.jsonl"));
  int epoch = 0;
  for (std::string line; std::getline(log, line);) {
    ++epoch;
    const auto json = nlohmann::json::parse(line);
    EXPECT_EQ(json.at("epoch").get<int>(), epoch);
    EXPECT_FALSE(json.contains("routing_acc"));
    EXPECT_DOUBLE_EQ(json.at("metrics").at("loss").get<double>(),
              std::stod(query(store_, "SELECT printf('%.17g', value) FROM metrics WHERE key = 'val_loss' AND epoch = " +
                                          std::to_string(epoch))[0][0]));
    for (const auto& [task, gate] : json.at("gates").items()) {
      const auto rows = query(store_, "SELECT printf('%.17g', utilization) FROM gate_stats WHERE task = '" + task +
                                          "' AND epoch = " + std::to_string(epoch) + " ORDER BY expert");
      ASSERT_EQ(rows.size(), gate.at("utilization").size());
      for (std::size_t e = 0; e < rows.size(); ++e) {
        EXPECT_DOUBLE_EQ(gate.at("utilization")[e].get<double>(), std::stod(rows[e][0]));
      }
    }
  }
  EXPECT_EQ(epoch, 6);
  EXPECT_THAT(read_file(test_dir_ / "moe" / "router_affinity_matrix.csv"),
              ::testing::StartsWith("task,expert_0,expert_1,expert_2,expert_3\n"));

  // MLflow: val_loss has one "timestamp value step" line per epoch, step = epoch.
  r = mmoe(with_store({"runs", "export-mlflow", id, "--out", (test_dir_ / "mlruns").string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path run_dir = fs::path(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(run_dir.filename(), id);
  EXPECT_TRUE(fs::exists(run_dir.parent_path() / "meta.yaml"));
  std::istringstream lines(read_file(run_dir / "metrics" / "val_loss"));
  int steps = 0;
  for (std::string line; std::getline(lines, line);) {
    ++steps;
    std::istringstream fields(line);
    long long timestamp = 0;
    double value = 0;
    int step = 0;
    fields >> timestamp >> value >> step;
    EXPECT_GT(timestamp, 0);
    EXPECT_EQ(step, steps);
    EXPECT_DOUBLE_EQ(value, std::stod(query(store_, "SELECT printf('%.17g', value) FROM metrics WHERE key = 'val_loss' AND epoch = " +
                                                        std::to_string(steps))[0][0]));
  }
  EXPECT_EQ(steps, 6);
  EXPECT_EQ(read_file(run_dir / "params" / "model.num_experts"), "4");
}

TEST_F(CliReport, BadInputsAreOneLineErrors) {
  const std::string id = train("4");
  ASSERT_FALSE(id.empty());
  auto r = mmoe(with_store({"report", "ffffffffffff", "--out", (test_dir_ / "x").string()}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "mmoe: error: no run 'ffffffffffff' in store '" + store_.string() +
                       "'; list runs with: mmoe runs list --store " + store_.string() + "\n");
  std::ofstream(test_dir_ / "a_file") << "x";
  r = mmoe(with_store({"report", id, "--out", (test_dir_ / "a_file" / "sub").string()}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("is not writable"));
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  r = mmoe(with_store({"runs", "export-moe", "ffffffffffff", "--out", (test_dir_ / "y").string()}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;

  // gnuplot missing: PATH without it.
  const auto missing = run("/usr/bin/env", with_store({"PATH=" + (test_dir_ / "empty").string(), mmoe_binary(),
                                                       "report", id, "--out", (test_dir_ / "z").string()}),
                           test_dir_);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            "mmoe: error: 'gnuplot' is not installed (not found on PATH); plots need it: apt-get install gnuplot-nox\n");
}

}  // namespace
}  // namespace mmoe::e2e
