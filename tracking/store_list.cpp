// Store::list_runs: the run filter (experiment, status, stale, the filter language), sort and
// limit, as one statement assembled from fixed fragments with every value bound.
#include <fmt/format.h>

#include "tracking/run_status.h"
#include "tracking/store_impl.h"
#include "tracking/store_query.h"
#include "tracking/timestamp.h"
#include "tracking/transaction.h"

namespace mmoe::tracking {

const char* const kRunSummarySelect =
    "SELECT r.id, e.name, r.name, r.status, r.started_at, r.ended_at, "
    "(SELECT COUNT(*) FROM epochs AS ep WHERE ep.run_id = r.id), "
    "r.monitor, r.best_epoch, r.best_metric, r.error, r.heartbeat_at";
const char* const kRunsJoinExperiments =
    " FROM runs AS r JOIN experiments AS e ON e.id = r.experiment_id ";

std::string display_status(const RunSummary& run) {
  return run.stale ? "stale" : to_string(run.status);
}

RunSummary read_summary(const sqlite::Statement& row, const std::string& display,
                        const std::string& cutoff) {
  RunSummary summary;
  summary.id = row.column_text(0);
  summary.experiment = row.column_text(1);
  summary.name = row.column_text(2);
  const std::string status = row.column_text(3);
  const auto parsed = parse_run_status(status);
  if (!parsed) {
    throw StoreError(fmt::format("store '{}': run '{}' has unknown status '{}'; upgrade mmoe-trainer",
                                 display, summary.id, status));
  }
  summary.status = *parsed;
  summary.started_at = row.column_text(4);
  summary.ended_at = row.column_text(5);
  summary.epochs_logged = row.column_int64(6);
  summary.monitor = row.column_text(7);
  summary.best_epoch = row.column_optional_int64(8);
  summary.best_metric = row.column_optional_double(9);
  summary.error = row.column_text(10);
  summary.heartbeat_at = row.column_text(11);
  summary.stale = status == "running" && !cutoff.empty() && summary.heartbeat_at < cutoff;
  return summary;
}

std::string stale_cutoff(std::chrono::seconds stale_after) {
  return iso8601_utc(std::chrono::system_clock::now() - stale_after);
}

std::string run_filter_where(const RunFilter& filter, SqlParams& params, const std::string& cutoff) {
  std::string where = "1";
  if (filter.experiment) where += " AND e.name = " + params.add(*filter.experiment);
  if (filter.status) {
    where += " AND r.status = " + params.add(std::string(to_string(*filter.status)));
  }
  if (filter.stale) where += fmt::format(" AND {}{}", *filter.stale ? "" : "NOT ", stale_sql(cutoff));
  if (!filter.where.empty()) {
    where += " AND " + filter_sql(parse_run_filter(filter.where), params, cutoff);
  }
  return where;
}

void run_read(sqlite::Database& db, const std::string& what, const std::function<void()>& body) {
  try {
    sqlite::with_read_transaction(db, what, body);
  } catch (const sqlite::SqliteError& error) {
    throw StoreError(fmt::format("store '{}': cannot {}: {}", db.display(), what,
                                 error.detail().empty() ? error.what() : error.detail()));
  }
}

std::vector<RunSummary> select_runs(sqlite::Database& db, const RunFilter& filter) {
  const std::string cutoff_time = stale_cutoff(filter.stale_after);
  SqlParams params;
  const std::string cutoff = params.add(cutoff_time);
  const std::string where = run_filter_where(filter, params, cutoff);
  std::string sql;
  if (filter.sort.empty()) {
    const std::string limit = params.add(filter.limit > 0 ? filter.limit : int64_t{-1});  // -1: all
    sql = std::string(kRunSummarySelect) + kRunsJoinExperiments + "WHERE " + where +
          " ORDER BY r.started_at DESC, r.rowid DESC LIMIT " + limit;
  } else {
    // The sort value is computed once per matching run (a materialized CTE), not once per use
    // in the ORDER BY terms.
    const SortKey sort = parse_sort_key(filter.sort);
    const std::string value = key_sql(sort.key, params, cutoff);
    const std::string limit = params.add(filter.limit > 0 ? filter.limit : int64_t{-1});
    const char* direction = sort.descending ? "DESC" : "ASC";
    sql = fmt::format(
        "WITH matched AS MATERIALIZED (SELECT r.rowid AS run_rowid, {0} AS sort_value{1}WHERE {2}) "
        "{3} FROM matched JOIN runs AS r ON r.rowid = matched.run_rowid "
        "JOIN experiments AS e ON e.id = r.experiment_id "
        "ORDER BY sort_value IS NULL, mmoe_real(sort_value) IS NULL, mmoe_real(sort_value) {4}, "
        "CAST(sort_value AS TEXT) {4}, r.started_at DESC, r.rowid DESC LIMIT {5}",
        value, kRunsJoinExperiments, where, kRunSummarySelect, direction, limit);
  }
  sqlite::Statement query(db, sql);
  params.bind_all(query);
  std::vector<RunSummary> runs;
  while (query.step()) runs.push_back(read_summary(query, db.display(), cutoff_time));
  return runs;
}

std::vector<RunSummary> Store::list_runs(const RunFilter& filter) const {
  sqlite::Database& db = impl_->db;
  std::vector<RunSummary> runs;
  run_read(db, "list runs", [&] { runs = select_runs(db, filter); });
  return runs;
}

}  // namespace mmoe::tracking
