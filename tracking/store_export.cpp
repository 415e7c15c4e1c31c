// Store::export_runs: the runs of a filter with their params, tags and final metrics, read in
// one snapshot.
#include "tracking/store_impl.h"
#include "tracking/store_query.h"

namespace mmoe::tracking {

std::vector<RunRecord> Store::export_runs(const RunFilter& filter) const {
  sqlite::Database& db = impl_->db;
  std::vector<RunRecord> records;
  run_read(db, "export runs", [&] {
    records.clear();
    sqlite::Statement params(db, "SELECT key, value FROM params WHERE run_id = ?1 ORDER BY rowid");
    sqlite::Statement tags(db, "SELECT key, value FROM tags WHERE run_id = ?1");
    // Each key's value at the latest epoch that logged it.
    sqlite::Statement metrics(db,
                              "SELECT m.key, m.value FROM metrics AS m WHERE m.run_id = ?1 "
                              "AND m.epoch = (SELECT MAX(n.epoch) FROM metrics AS n "
                              "WHERE n.run_id = m.run_id AND n.key = m.key)");
    for (RunSummary& summary : select_runs(db, filter)) {
      RunRecord record;
      params.bind_text(1, summary.id);
      while (params.step()) record.params.emplace_back(params.column_text(0), params.column_text(1));
      params.reset();
      tags.bind_text(1, summary.id);
      while (tags.step()) record.tags[tags.column_text(0)] = tags.column_text(1);
      tags.reset();
      metrics.bind_text(1, summary.id);
      while (metrics.step()) record.final_metrics[metrics.column_text(0)] = metrics.column_double(1);
      metrics.reset();
      record.summary = std::move(summary);
      records.push_back(std::move(record));
    }
  });
  return records;
}

}  // namespace mmoe::tracking
