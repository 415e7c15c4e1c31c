// Store::get_history: a run epoch by epoch, for `mmoe report` and the exports.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "tracking/store_impl.h"
#include "tracking/store_query.h"

namespace mmoe::tracking {
namespace {

void read_metric_points(sqlite::Database& db, const std::string& id, RunHistory& history) {
  sqlite::Statement rows(db,
                         "SELECT key, epoch, step, value, time FROM metrics WHERE run_id = ?1 "
                         "AND epoch IN (SELECT epoch FROM epochs WHERE run_id = ?1) "
                         "ORDER BY epoch, rowid");
  rows.bind_text(1, id);
  while (rows.step()) {
    history.metric_points.push_back(MetricPoint{rows.column_text(0), rows.column_int64(1),
                                                rows.column_int64(2), rows.column_double(3),
                                                rows.column_text(4)});
  }
}

void read_task_metrics(sqlite::Database& db, const std::string& id, RunHistory& history) {
  sqlite::Statement rows(db,
                         "SELECT epoch, task, split, labelled_rows, loss, accuracy, macro_f1, "
                         "weighted_f1, micro_f1, mae, rmse, samples_f1, auc, r2 FROM task_metrics "
                         "WHERE run_id = ?1 ORDER BY epoch, rowid");
  rows.bind_text(1, id);
  while (rows.step()) {
    TaskMetricsRecord row;
    row.task = rows.column_text(1);
    row.split = rows.column_text(2);
    row.labelled_rows = rows.column_int64(3);
    row.loss = rows.column_optional_double(4);
    row.accuracy = rows.column_optional_double(5);
    row.macro_f1 = rows.column_optional_double(6);
    row.weighted_f1 = rows.column_optional_double(7);
    row.micro_f1 = rows.column_optional_double(8);
    row.mae = rows.column_optional_double(9);
    row.rmse = rows.column_optional_double(10);
    row.samples_f1 = rows.column_optional_double(11);
    row.auc = rows.column_optional_double(12);
    row.r2 = rows.column_optional_double(13);
    history.task_metrics.emplace_back(rows.column_int64(0), std::move(row));
  }
}

void read_gates(sqlite::Database& db, const std::string& id, RunHistory& history) {
  sqlite::Statement gates(db,
                          "SELECT epoch, task, entropy_nats, entropy_normalized FROM gate_entropy "
                          "WHERE run_id = ?1 ORDER BY epoch, rowid");
  gates.bind_text(1, id);
  sqlite::Statement experts(db,
                            "SELECT utilization FROM gate_stats WHERE run_id = ?1 AND epoch = ?2 "
                            "AND task = ?3 ORDER BY expert");
  while (gates.step()) {
    const int64_t epoch = gates.column_int64(0);
    GateRecord gate;
    gate.task = gates.column_text(1);
    gate.entropy_nats = gates.column_double(2);
    gate.entropy_normalized = gates.column_double(3);
    experts.bind_text(1, id).bind_int64(2, epoch).bind_text(3, gate.task);
    while (experts.step()) gate.utilization.push_back(experts.column_double(0));
    experts.reset();
    if (history.gates.empty() || history.gates.back().first != epoch) history.gates.push_back({epoch, {}});
    history.gates.back().second.push_back(std::move(gate));
  }
}

void read_final_confusion(sqlite::Database& db, const std::string& id, RunHistory& history) {
  sqlite::Statement latest(db,
                           "SELECT task, split, MAX(epoch) FROM confusion_matrix WHERE run_id = ?1 "
                           "GROUP BY task, split ORDER BY MIN(rowid)");
  latest.bind_text(1, id);
  sqlite::Statement cells(db,
                          "SELECT true_class, predicted_class, count FROM confusion_matrix "
                          "WHERE run_id = ?1 AND task = ?2 AND split = ?3 AND epoch = ?4");
  while (latest.step()) {
    ConfusionMatrixRecord matrix;
    matrix.task = latest.column_text(0);
    matrix.split = latest.column_text(1);
    cells.bind_text(1, id).bind_text(2, matrix.task).bind_text(3, matrix.split);
    cells.bind_int64(4, latest.column_int64(2));
    std::map<std::pair<int64_t, int64_t>, int64_t> found;
    while (cells.step()) {
      const int64_t t = cells.column_int64(0);
      const int64_t p = cells.column_int64(1);
      found[{t, p}] = cells.column_int64(2);
      matrix.num_classes = std::max({matrix.num_classes, t + 1, p + 1});
    }
    cells.reset();
    const auto c = static_cast<std::size_t>(matrix.num_classes);
    matrix.counts.assign(c * c, 0);
    for (const auto& [cell, count] : found) {
      matrix.counts[static_cast<std::size_t>(cell.first) * c + static_cast<std::size_t>(cell.second)] = count;
    }
    history.final_confusion.push_back(std::move(matrix));
  }
}

}  // namespace

RunHistory Store::get_history(const std::string& id_or_prefix) const {
  RunHistory history;
  history.run = get_run(id_or_prefix);
  sqlite::Database& db = impl_->db;
  const std::string id = history.run.summary.id;
  run_read(db, fmt::format("read the history of run '{}'", id), [&] {
    history.metric_points.clear();
    history.task_metrics.clear();
    history.gates.clear();
    history.final_confusion.clear();
    read_metric_points(db, id, history);
    read_task_metrics(db, id, history);
    read_gates(db, id, history);
    read_final_confusion(db, id, history);
  });
  return history;
}

}  // namespace mmoe::tracking
