// Store::get_run (full id or unique prefix, as git does) and resolve_run_id.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "tracking/run_id.h"
#include "tracking/run_status.h"
#include "tracking/store_impl.h"
#include "tracking/store_query.h"
#include "tracking/transaction.h"

namespace mmoe::tracking {
namespace {

constexpr int kMaxAmbiguousListed = 10;

}  // namespace

std::string resolve_run_id(sqlite::Database& db, const std::string& id_or_prefix) {
  std::string prefix = id_or_prefix;
  std::transform(prefix.begin(), prefix.end(), prefix.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!is_run_id_prefix(prefix)) throw StoreError(no_run_message(db.display(), id_or_prefix));

  sqlite::Statement query(db, std::string(kRunSummarySelect) + kRunsJoinExperiments +
                                  "WHERE substr(r.id, 1, ?1) = ?2 ORDER BY r.id LIMIT ?3");
  query.bind_int64(1, static_cast<int64_t>(prefix.size())).bind_text(2, prefix);
  query.bind_int64(3, kMaxAmbiguousListed + 1);
  std::vector<RunSummary> matches;
  while (query.step()) matches.push_back(read_summary(query, db.display(), ""));
  if (matches.empty()) throw StoreError(no_run_message(db.display(), id_or_prefix));
  if (matches.size() == 1) return matches.front().id;

  std::string listed;
  for (std::size_t i = 0; i < matches.size() && i < kMaxAmbiguousListed; ++i) {
    const RunSummary& run = matches[i];
    listed += fmt::format("{}{} ({} / {}, started {})", i == 0 ? "" : ", ", run.id,
                          run.experiment, run.name, run.started_at);
  }
  if (matches.size() > kMaxAmbiguousListed) listed += ", and more";
  throw StoreError(fmt::format(
      "run id prefix '{}' is ambiguous in store '{}': it matches {}; give more characters",
      id_or_prefix, db.display(), listed));
}

namespace {

void read_run_row(sqlite::Database& db, const std::string& id, const std::string& cutoff,
                  RunDetail& run) {
  sqlite::Statement query(db, std::string(kRunSummarySelect) +
                                  ", r.config_yaml, r.config_hash, r.git_commit, r.host, "
                                  "r.world_size, r.command_line" +
                                  kRunsJoinExperiments + "WHERE r.id = ?1");
  query.bind_text(1, id);
  if (!query.step()) throw StoreError(no_run_message(db.display(), id));
  run.summary = read_summary(query, db.display(), cutoff);
  constexpr int kFirst = kRunSummaryColumns;
  run.config_yaml = query.column_text(kFirst);
  run.config_hash = query.column_text(kFirst + 1);
  run.git_commit = query.column_text(kFirst + 2);
  run.host = query.column_text(kFirst + 3);
  run.world_size = query.column_int64(kFirst + 4);
  run.command_line = query.column_text(kFirst + 5);
}

void read_params_and_tags(sqlite::Database& db, const std::string& id, RunDetail& run) {
  sqlite::Statement params(db, "SELECT key, value FROM params WHERE run_id = ?1 ORDER BY rowid");
  params.bind_text(1, id);
  while (params.step()) run.params.emplace_back(params.column_text(0), params.column_text(1));
  sqlite::Statement tags(db, "SELECT key, value FROM tags WHERE run_id = ?1");
  tags.bind_text(1, id);
  while (tags.step()) run.tags[tags.column_text(0)] = tags.column_text(1);
}

void read_epochs(sqlite::Database& db, const std::string& id, RunDetail& run) {
  sqlite::Statement epochs(db, "SELECT epoch, step FROM epochs WHERE run_id = ?1 ORDER BY epoch");
  epochs.bind_text(1, id);
  while (epochs.step()) {
    run.epochs.push_back(EpochRow{epochs.column_int64(0), epochs.column_int64(1), {}});
  }
  sqlite::Statement metrics(db,
                            "SELECT epoch, key, value FROM metrics WHERE run_id = ?1 "
                            "ORDER BY epoch, rowid");
  metrics.bind_text(1, id);
  auto row = run.epochs.begin();
  while (metrics.step()) {
    const int64_t epoch = metrics.column_int64(0);
    while (row != run.epochs.end() && row->epoch < epoch) ++row;
    if (row == run.epochs.end() || row->epoch != epoch) continue;  // no epochs row: not logged
    row->metrics[metrics.column_text(1)] = metrics.column_double(2);
  }
}

// Task metrics and gates of the last logged epoch.
void read_final_epoch(sqlite::Database& db, const std::string& id, RunDetail& run) {
  if (run.epochs.empty()) return;
  const int64_t last = run.epochs.back().epoch;
  sqlite::Statement tasks(db,
                          "SELECT task, split, labelled_rows, loss, accuracy, macro_f1, "
                          "weighted_f1, micro_f1, mae, rmse, samples_f1, auc, r2 FROM task_metrics "
                          "WHERE run_id = ?1 AND epoch = ?2 ORDER BY rowid");
  tasks.bind_text(1, id).bind_int64(2, last);
  sqlite::Statement classes(db,
                            "SELECT class_index, class_name, precision, recall, f1, support "
                            "FROM class_metrics WHERE run_id = ?1 AND epoch = ?2 AND task = ?3 "
                            "AND split = ?4 ORDER BY class_index");
  while (tasks.step()) {
    TaskMetricsRecord row;
    row.task = tasks.column_text(0);
    row.split = tasks.column_text(1);
    row.labelled_rows = tasks.column_int64(2);
    row.loss = tasks.column_optional_double(3);
    row.accuracy = tasks.column_optional_double(4);
    row.macro_f1 = tasks.column_optional_double(5);
    row.weighted_f1 = tasks.column_optional_double(6);
    row.micro_f1 = tasks.column_optional_double(7);
    row.mae = tasks.column_optional_double(8);
    row.rmse = tasks.column_optional_double(9);
    row.samples_f1 = tasks.column_optional_double(10);
    row.auc = tasks.column_optional_double(11);
    row.r2 = tasks.column_optional_double(12);
    classes.bind_text(1, id).bind_int64(2, last).bind_text(3, row.task).bind_text(4, row.split);
    while (classes.step()) {
      row.classes.push_back(ClassMetricsRecord{classes.column_int64(0), classes.column_text(1),
                                               classes.column_double(2), classes.column_double(3),
                                               classes.column_double(4), classes.column_int64(5)});
    }
    classes.reset();
    run.final_task_metrics.push_back(std::move(row));
  }

  sqlite::Statement gates(db,
                          "SELECT task, entropy_nats, entropy_normalized FROM gate_entropy "
                          "WHERE run_id = ?1 AND epoch = ?2 ORDER BY rowid");
  gates.bind_text(1, id).bind_int64(2, last);
  sqlite::Statement experts(db,
                            "SELECT utilization FROM gate_stats "
                            "WHERE run_id = ?1 AND epoch = ?2 AND task = ?3 ORDER BY expert");
  while (gates.step()) {
    GateRecord gate;
    gate.task = gates.column_text(0);
    gate.entropy_nats = gates.column_double(1);
    gate.entropy_normalized = gates.column_double(2);
    experts.bind_text(1, id).bind_int64(2, last).bind_text(3, gate.task);
    while (experts.step()) gate.utilization.push_back(experts.column_double(0));
    experts.reset();
    run.final_gates.push_back(std::move(gate));
  }
}

}  // namespace

RunDetail Store::get_run(const std::string& id_or_prefix, std::chrono::seconds stale_after) const {
  sqlite::Database& db = impl_->db;
  const std::string cutoff = stale_cutoff(stale_after);
  RunDetail run;
  run_read(db, fmt::format("read run '{}'", id_or_prefix), [&] {
    run = RunDetail{};
    const std::string id = resolve_run_id(db, id_or_prefix);
    read_run_row(db, id, cutoff, run);
    read_params_and_tags(db, id, run);
    read_epochs(db, id, run);
    read_final_epoch(db, id, run);
  });
  return run;
}

}  // namespace mmoe::tracking
