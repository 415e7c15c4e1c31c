// Store::list_runs with the filter language and sort keys, stale runs, delete_runs, best_runs
// and export_runs, on a store whose values were picked by hand.
#include <gtest/gtest.h>

#include <set>

#include "test_store.h"
#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

using testing::TempDir;
using testing::exec_sql;
using testing::query_value;
using testing::sample_run;
using Ids = std::vector<std::string>;

EpochRecord epoch(int64_t number, double f1, double loss) {
  EpochRecord record;
  record.epoch = number;
  record.step = number * 10;
  record.metrics = {{"val_weighted_f1", f1}, {"val_loss", loss}};
  return record;
}

class StoreQuery : public ::testing::Test {
 protected:
  // a: fish, 8 experts, stage final, f1 0.70 0.85 0.82 (loss 0.9 0.5 0.6), finished, best 0.85
  // b: fish, 4 experts, stage draft, f1 0.90 (loss 0.4), finished, best 0.90
  // c: fish, 16 experts, stage draft, f1 0.60 0.75 (loss 0.7 0.3), running
  // d: fashion, 12 experts, stage final, nothing logged, failed
  // e: fish, experts "auto", no tags, running with a heartbeat from 2020: stale
  void SetUp() override {
    Store store = Store::open(path_);
    a_ = create(store, "fish", "a", "8", "final");
    b_ = create(store, "fish", "b", "4", "draft");
    c_ = create(store, "fish", "c", "16", "draft");
    d_ = create(store, "fashion", "d", "12", "final");
    e_ = create(store, "fish", "e", "auto", "");
    store.log_epoch(a_, epoch(1, 0.70, 0.9));
    store.log_epoch(a_, epoch(2, 0.85, 0.5));
    store.set_best(a_, 2, 0.85);
    store.log_epoch(a_, epoch(3, 0.82, 0.6));
    store.finish_run(a_, RunStatus::kFinished);
    store.log_epoch(b_, epoch(1, 0.90, 0.4));
    store.set_best(b_, 1, 0.90);
    store.finish_run(b_, RunStatus::kFinished);
    store.log_epoch(c_, epoch(1, 0.60, 0.7));
    store.log_epoch(c_, epoch(2, 0.75, 0.3));
    store.finish_run(d_, RunStatus::kFailed, "bad config");
    exec_sql(path_, "UPDATE runs SET heartbeat_at = '2020-01-01T00:00:00.000Z' WHERE name = 'e'");
  }

  static std::string create(Store& store, const std::string& experiment, const std::string& name,
                            const std::string& experts, const std::string& stage) {
    NewRun run = sample_run(experiment, name);
    run.params = {{"model.num_experts", experts}, {"optim.lr", "0.001"}};
    run.tags.clear();
    if (!stage.empty()) run.tags["stage"] = stage;
    return store.create_run(run);
  }

  Ids names(const std::string& where, const std::string& sort = "") const {
    RunFilter filter;
    filter.where = where;
    filter.sort = sort;
    filter.limit = 0;
    Ids out;
    for (const RunSummary& run : Store::open_existing(path_).list_runs(filter)) {
      out.push_back(run.name);
    }
    if (sort.empty()) std::sort(out.begin(), out.end());
    return out;
  }

  std::string query_error(const std::string& where, const std::string& sort = "") const {
    RunFilter filter;
    filter.where = where;
    filter.sort = sort;
    try {
      Store::open_existing(path_).list_runs(filter);
    } catch (const QueryError& error) {
      return error.what();
    }
    ADD_FAILURE() << "expected a QueryError for " << where << " / " << sort;
    return "";
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_ / "runs.db";
  std::string a_, b_, c_, d_, e_;
};

TEST_F(StoreQuery, TheIssueExample) {
  // a: 8 >= 8 and final f1 0.82 > 0.8; d: 12 >= 8 and stage final; c: 0.75 and draft; b: 4.
  EXPECT_EQ(names("params.model.num_experts >= 8 and (metrics.val_weighted_f1 > 0.8 or "
                  "tags.stage = \"final\")"),
            (Ids{"a", "d"}));
}

TEST_F(StoreQuery, NumbersCompareNumericallyStringsAsText) {
  EXPECT_EQ(names("params.model.num_experts < 10"), (Ids{"a", "b"}));  // as text "8" > "10"
  EXPECT_EQ(names("params.model.num_experts < \"2\""), (Ids{"c", "d"}));  // "16", "12" as text
  EXPECT_EQ(names("params.model.num_experts = 8.0"), (Ids{"a"}));
  EXPECT_EQ(names("params.model.num_experts = \"8.0\""), Ids{});
  EXPECT_EQ(names("params.model.num_experts = auto"), (Ids{"e"}));
  EXPECT_EQ(names("params.model.num_experts ~ \"1*\""), (Ids{"c", "d"}));
  EXPECT_EQ(names("params.optim.lr = 1e-3"), (Ids{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(names("params.model.num_experts != 8"), (Ids{"b", "c", "d"}))
      << "'auto' is not a number: a numeric comparison is false";
}

TEST_F(StoreQuery, AbsentKeysAreFalseAndNotSelectsThem) {
  EXPECT_EQ(names("tags.stage = final"), (Ids{"a", "d"}));
  EXPECT_EQ(names("not tags.stage = final"), (Ids{"b", "c", "e"}));
  EXPECT_EQ(names("params.missing = 1 or metrics.missing < 1"), Ids{});
}

TEST_F(StoreQuery, MetricsAreTheFinalEpochValueAndBestIsBestMetric) {
  EXPECT_EQ(names("metrics.val_weighted_f1 = 0.82"), (Ids{"a"}));
  EXPECT_EQ(names("metrics.val_weighted_f1 = 0.85"), Ids{});
  EXPECT_EQ(names("metrics.val_loss < 0.5"), (Ids{"b", "c"}));
  EXPECT_EQ(names("metrics.best >= 0.85"), (Ids{"a", "b"}));
}

TEST_F(StoreQuery, RunColumnsAndStaleStatus) {
  EXPECT_EQ(names("experiment = fashion"), (Ids{"d"}));
  EXPECT_EQ(names("status = stale"), (Ids{"e"}));
  EXPECT_EQ(names("status = running"), (Ids{"c"}));
  EXPECT_EQ(names("status = finished and name ~ '[ab]'"), (Ids{"a", "b"}));
  EXPECT_EQ(names("id = \"" + b_ + "\""), (Ids{"b"}));
  EXPECT_EQ(names("started_at > '2020' and host = node07 and world_size = 4"),
            (Ids{"a", "b", "c", "d", "e"}));

  Store store = Store::open_existing(path_);
  RunFilter stale;
  stale.stale = true;
  const auto runs = store.list_runs(stale);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_TRUE(runs[0].stale);
  EXPECT_EQ(runs[0].status, RunStatus::kRunning);
  EXPECT_EQ(display_status(runs[0]), "stale");
  EXPECT_EQ(runs[0].heartbeat_at, "2020-01-01T00:00:00.000Z");
  EXPECT_EQ(query_value(path_, "SELECT status FROM runs WHERE name = 'e'"), "running");
  EXPECT_TRUE(store.get_run(e_).summary.stale);
  EXPECT_FALSE(store.get_run(c_).summary.stale);
  EXPECT_TRUE(store.get_run(c_, std::chrono::seconds(-60)).summary.stale)
      << "a threshold in the future makes every running run stale";
  stale.stale = false;
  stale.status = RunStatus::kRunning;
  ASSERT_EQ(store.list_runs(stale).size(), 1u);
  EXPECT_EQ(store.list_runs(stale)[0].name, "c");
}

TEST_F(StoreQuery, SortNumbersFirstAbsentLast) {
  EXPECT_EQ(names("", "-metrics.val_weighted_f1"), (Ids{"b", "a", "c", "e", "d"}));
  EXPECT_EQ(names("", "metrics.val_weighted_f1"), (Ids{"c", "a", "b", "e", "d"}));
  EXPECT_EQ(names("", "params.model.num_experts"), (Ids{"b", "a", "d", "c", "e"}));
  EXPECT_EQ(names("", "-params.model.num_experts"), (Ids{"c", "d", "a", "b", "e"}));
  EXPECT_EQ(names("experiment = fish", "name"), (Ids{"a", "b", "c", "e"}));
  RunFilter top;
  top.sort = "-metrics.best";
  top.limit = 1;
  EXPECT_EQ(Store::open_existing(path_).list_runs(top).at(0).name, "b");
}

TEST_F(StoreQuery, InjectionStringsMatchNothingAndChangeNothing) {
  const auto counts = [&] {
    std::string out;
    for (const char* table : {"experiments", "runs", "params", "tags", "epochs", "metrics"}) {
      out += query_value(path_, std::string("SELECT COUNT(*) FROM ") + table) + " ";
    }
    return out;
  };
  const std::string before = counts();
  EXPECT_EQ(names("tags.x = \"'; DROP TABLE runs; --\""), Ids{});
  EXPECT_EQ(names("tags.stage = \"final' OR '1'='1\""), Ids{});
  EXPECT_EQ(names("name = \"a\\\"; DELETE FROM runs; --\""), Ids{});
  EXPECT_EQ(names("params.model.num_experts ~ \"*') OR 1=1 --\""), Ids{});
  EXPECT_NE(query_error("tags.x = 1) OR (1 = 1").find("unbalanced ')'"), std::string::npos);
  EXPECT_NE(query_error("tags.x'; DROP TABLE runs; -- = 1").find("unterminated string"),
            std::string::npos);
  EXPECT_NE(query_error("", "name; DROP TABLE runs").find("sort: bad key"), std::string::npos);
  EXPECT_EQ(counts(), before);
  EXPECT_EQ(query_value(path_, "PRAGMA integrity_check"), "ok");
}

TEST_F(StoreQuery, BadFiltersAreQueryErrors) {
  EXPECT_EQ(query_error("params.x >= "),
            "filter: expected a value (a number or a quoted string) at column 13 (found the end "
            "of the filter)");
  EXPECT_NE(query_error("", "-").find("sort: bad key '' at column 2"), std::string::npos);
}

TEST_F(StoreQuery, BestRunsByMetric) {
  Store store = Store::open_existing(path_);
  BestRunQuery query;
  query.metric = "val_weighted_f1";  // the runs' monitor, mode max
  query.top = 2;
  BestRuns best = store.best_runs(query);
  EXPECT_EQ(best.mode, MetricMode::kMax);
  EXPECT_EQ(best.runs_compared, 3);  // a, b, c logged it
  ASSERT_EQ(best.runs.size(), 2u);
  EXPECT_EQ(best.runs[0].summary.name, "b");
  EXPECT_DOUBLE_EQ(best.runs[0].value, 0.90);
  EXPECT_EQ(best.runs[0].epoch, 1);
  EXPECT_EQ(best.runs[1].summary.name, "a");
  EXPECT_DOUBLE_EQ(best.runs[1].value, 0.85);  // its best epoch, not its last
  EXPECT_EQ(best.runs[1].epoch, 2);

  query.metric = "val_loss";  // nobody monitors it: min, from the name
  query.top = 1;
  best = store.best_runs(query);
  EXPECT_EQ(best.mode, MetricMode::kMin);
  ASSERT_EQ(best.runs.size(), 1u);
  EXPECT_EQ(best.runs[0].summary.name, "c");
  EXPECT_DOUBLE_EQ(best.runs[0].value, 0.3);

  query.mode = MetricMode::kMax;
  query.where = "status = finished";
  best = store.best_runs(query);
  EXPECT_EQ(best.runs_compared, 2);
  EXPECT_EQ(best.runs.at(0).summary.name, "a");  // 0.9 at epoch 1
  EXPECT_EQ(best.runs.at(0).epoch, 1);

  query.experiment = "fashion";
  EXPECT_TRUE(store.best_runs(query).runs.empty());
  query.metric = "";
  EXPECT_THROW(store.best_runs(query), QueryError);
}

TEST_F(StoreQuery, DeleteCascadesAndIsAllOrNothing) {
  Store store = Store::open_existing(path_);
  EXPECT_THROW(store.delete_runs({a_, "ffffffffffff"}), StoreError);
  EXPECT_EQ(query_value(path_, "SELECT COUNT(*) FROM runs"), "5");
  const auto deleted = store.delete_runs({a_.substr(0, 8), c_, a_});
  EXPECT_EQ(deleted, (Ids{a_, c_}));
  EXPECT_EQ(query_value(path_, "SELECT group_concat(name) FROM (SELECT name FROM runs ORDER BY name)"),
            "b,d,e");
  for (const char* table : {"params", "tags", "epochs", "metrics"}) {
    EXPECT_EQ(query_value(path_, std::string("SELECT COUNT(*) FROM ") + table +
                                     " WHERE run_id NOT IN (SELECT id FROM runs)"),
              "0")
        << table;
  }
  EXPECT_EQ(query_value(path_, "SELECT COUNT(*) FROM epochs"), "1");  // b's
}

TEST_F(StoreQuery, ExportCarriesParamsTagsAndFinalMetrics) {
  Store store = Store::open_existing(path_);
  RunFilter filter;
  filter.where = "experiment = fish";
  filter.sort = "name";
  const auto records = store.export_runs(filter);
  ASSERT_EQ(records.size(), 4u);
  const RunRecord& a = records[0];
  EXPECT_EQ(a.summary.name, "a");
  EXPECT_EQ(a.params, (std::vector<std::pair<std::string, std::string>>{
                          {"model.num_experts", "8"}, {"optim.lr", "0.001"}}));
  EXPECT_EQ(a.tags, (std::map<std::string, std::string>{{"stage", "final"}}));
  EXPECT_EQ(a.final_metrics, (std::map<std::string, double>{{"val_loss", 0.6}, {"val_weighted_f1", 0.82}}));
  EXPECT_TRUE(records[3].final_metrics.empty());
  EXPECT_TRUE(records[3].tags.empty());
}

}  // namespace
}  // namespace mmoe::tracking
