// Store::best_runs: rank runs by their best value of one metric over their epochs.
#include <fmt/format.h>

#include "tracking/metric_mode.h"
#include "tracking/store_impl.h"
#include "tracking/store_query.h"

namespace mmoe::tracking {
namespace {

// The mode of `metric` when some run (of the experiment) monitors it, else from its name.
MetricMode resolve_mode(sqlite::Database& db, const BestRunQuery& query) {
  if (query.mode) return *query.mode;
  sqlite::Statement monitored(db,
                              "SELECT r.monitor_mode FROM runs AS r "
                              "JOIN experiments AS e ON e.id = r.experiment_id "
                              "WHERE r.monitor = ?1 AND r.monitor_mode IS NOT NULL "
                              "AND (?2 IS NULL OR e.name = ?2) ORDER BY r.started_at DESC LIMIT 1");
  monitored.bind_text(1, query.metric);
  if (query.experiment) {
    monitored.bind_text(2, *query.experiment);
  } else {
    monitored.bind_null(2);
  }
  if (monitored.step()) {
    if (const auto mode = parse_metric_mode(monitored.column_text(0))) return *mode;
  }
  return infer_metric_mode(query.metric);
}

}  // namespace

BestRuns Store::best_runs(const BestRunQuery& query) const {
  if (query.metric.empty()) {
    throw QueryError("best run: the metric name is empty; pass --metric, e.g. val_weighted_f1");
  }
  sqlite::Database& db = impl_->db;
  RunFilter filter;
  filter.experiment = query.experiment;
  filter.where = query.where;
  filter.stale_after = query.stale_after;
  const std::string cutoff_time = stale_cutoff(query.stale_after);

  BestRuns best;
  run_read(db, fmt::format("rank runs by '{}'", query.metric), [&] {
    best = BestRuns{};
    best.mode = resolve_mode(db, query);
    const char* direction = best.mode == MetricMode::kMax ? "DESC" : "ASC";
    SqlParams params;
    const std::string cutoff = params.add(cutoff_time);
    const std::string metric = params.add(query.metric);
    const std::string where = run_filter_where(filter, params, cutoff);
    const std::string top = params.add(query.top > 0 ? query.top : int64_t{-1});
    // Each run's best value (the earliest epoch among ties), then the runs by that value.
    const std::string sql = fmt::format(
        "{}, b.value, b.epoch, COUNT(*) OVER () {} "
        "JOIN (SELECT m.run_id, m.value, m.epoch, ROW_NUMBER() OVER ("
        "PARTITION BY m.run_id ORDER BY m.value {}, m.epoch) AS place "
        "FROM metrics AS m WHERE m.key = {} AND m.value IS NOT NULL) AS b "
        "ON b.run_id = r.id AND b.place = 1 "
        "WHERE {} ORDER BY b.value {}, r.started_at, r.rowid LIMIT {}",
        kRunSummarySelect, kRunsJoinExperiments, direction, metric, where, direction, top);
    sqlite::Statement ranked(db, sql);
    params.bind_all(ranked);
    while (ranked.step()) {
      RankedRun run;
      run.summary = read_summary(ranked, db.display(), cutoff_time);
      run.value = ranked.column_double(kRunSummaryColumns);
      run.epoch = ranked.column_int64(kRunSummaryColumns + 1);
      best.runs_compared = ranked.column_int64(kRunSummaryColumns + 2);
      best.runs.push_back(std::move(run));
    }
  });
  return best;
}

}  // namespace mmoe::tracking
