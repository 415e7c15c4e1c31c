// Store's writers: create_run, log_epoch, set_best, finish_run. Each is one BEGIN IMMEDIATE
// transaction, retried while another process holds the write lock.
#include <fmt/format.h>

#include <set>
#include <string_view>

#include "tracking/metric_mode.h"
#include "tracking/run_id.h"
#include "tracking/store_impl.h"
#include "tracking/store_query.h"
#include "tracking/timestamp.h"
#include "tracking/transaction.h"

namespace mmoe::tracking {
namespace {

constexpr std::size_t kShortIdLength = 6;


// Whether the monitored metric is minimised or maximised, for best_run_per_experiment and
// `mmoe runs best`. Empty: no monitor.
std::string monitor_mode(std::string_view monitor) {
  return monitor.empty() ? "" : to_string(infer_metric_mode(monitor));
}

std::string unused_run_id(sqlite::Database& db) {
  sqlite::Statement taken(db, "SELECT 1 FROM runs WHERE id = ?1");
  for (;;) {
    std::string id = new_run_id();
    taken.bind_text(1, id);
    const bool exists = taken.step();
    taken.reset();
    if (!exists) return id;
  }
}

int64_t experiment_id(sqlite::Database& db, const std::string& name, const std::string& now) {
  sqlite::Statement insert(db,
                           "INSERT INTO experiments (name, created_at) VALUES (?1, ?2) "
                           "ON CONFLICT (name) DO NOTHING");
  insert.bind_text(1, name).bind_text(2, now).run();
  sqlite::Statement find(db, "SELECT id FROM experiments WHERE name = ?1");
  find.bind_text(1, name);
  const bool found = find.step();
  MMOE_ASSERT(found, "experiment row missing right after insert: " + name);
  return find.column_int64(0);
}

void check_new_run(const NewRun& run, const std::string& display) {
  if (run.experiment.empty()) {
    throw StoreError(fmt::format(
        "cannot create a run in store '{}': the experiment name is empty; set tracking.experiment",
        display));
  }
  std::set<std::string_view> keys;
  for (const auto& [key, value] : run.params) {
    if (!keys.insert(key).second) {
      throw StoreError(fmt::format(
          "cannot create a run in store '{}': param '{}' appears twice in the flattened config",
          display, key));
    }
  }
  MMOE_ASSERT(run.world_size >= 1, fmt::format("world_size {} < 1", run.world_size));
}

// Marks the run alive and checks that it exists (the first statement of every run update).
void touch_run(sqlite::Database& db, const std::string& run_id, const std::string& now) {
  sqlite::Statement touch(db, "UPDATE runs SET heartbeat_at = ?2 WHERE id = ?1");
  touch.bind_text(1, run_id).bind_text(2, now).run();
  if (db.changes() == 0) throw StoreError(no_run_message(db.display(), run_id));
}

// Upserts: logging an epoch again replaces the values it names and keeps the others, so a
// resumed run can re-log an epoch and a final test evaluation can join the last epoch.
void upsert_epoch(sqlite::Database& db, const std::string& run_id, const EpochRecord& record,
                  const std::string& now) {
  sqlite::Statement epoch(db,
                          "INSERT INTO epochs (run_id, epoch, step, logged_at) "
                          "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (run_id, epoch) "
                          "DO UPDATE SET step = excluded.step, logged_at = excluded.logged_at");
  epoch.bind_text(1, run_id).bind_int64(2, record.epoch).bind_int64(3, record.step);
  epoch.bind_text(4, now).run();

  sqlite::Statement forget(db, "DELETE FROM metrics WHERE run_id = ?1 AND epoch = ?2 AND key = ?3");
  sqlite::Statement metric(db,
                           "INSERT INTO metrics (run_id, key, step, epoch, value, time) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  for (const auto& [key, value] : record.metrics) {
    forget.bind_text(1, run_id).bind_int64(2, record.epoch).bind_text(3, key).run();
    forget.reset();
    metric.bind_text(1, run_id).bind_text(2, key).bind_int64(3, record.step);
    metric.bind_int64(4, record.epoch).bind_double(5, value).bind_text(6, now).run();
    metric.reset();
  }
}

void upsert_task_metrics(sqlite::Database& db, const std::string& run_id,
                         const EpochRecord& record) {
  sqlite::Statement task(db,
                         "INSERT OR REPLACE INTO task_metrics (run_id, epoch, task, split, "
                         "labelled_rows, loss, accuracy, macro_f1, weighted_f1, micro_f1, mae, "
                         "rmse, samples_f1, auc, r2) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
  // A task row logged again replaces its classes too.
  sqlite::Statement forget(db,
                           "DELETE FROM class_metrics WHERE run_id = ?1 AND epoch = ?2 "
                           "AND task = ?3 AND split = ?4");
  sqlite::Statement klass(db,
                          "INSERT INTO class_metrics (run_id, epoch, task, split, class_index, "
                          "class_name, precision, recall, f1, support) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  for (const TaskMetricsRecord& row : record.task_metrics) {
    task.bind_text(1, run_id).bind_int64(2, record.epoch).bind_text(3, row.task);
    task.bind_text(4, row.split).bind_int64(5, row.labelled_rows);
    task.bind_optional_double(6, row.loss).bind_optional_double(7, row.accuracy);
    task.bind_optional_double(8, row.macro_f1).bind_optional_double(9, row.weighted_f1);
    task.bind_optional_double(10, row.micro_f1).bind_optional_double(11, row.mae);
    task.bind_optional_double(12, row.rmse).bind_optional_double(13, row.samples_f1);
    task.bind_optional_double(14, row.auc).bind_optional_double(15, row.r2).run();
    task.reset();
    forget.bind_text(1, run_id).bind_int64(2, record.epoch).bind_text(3, row.task);
    forget.bind_text(4, row.split).run();
    forget.reset();
    for (const ClassMetricsRecord& c : row.classes) {
      klass.bind_text(1, run_id).bind_int64(2, record.epoch).bind_text(3, row.task);
      klass.bind_text(4, row.split).bind_int64(5, c.class_index).bind_text(6, c.class_name);
      klass.bind_double(7, c.precision).bind_double(8, c.recall).bind_double(9, c.f1);
      klass.bind_int64(10, c.support).run();
      klass.reset();
    }
  }
}

void upsert_gates(sqlite::Database& db, const std::string& run_id, const EpochRecord& record) {
  sqlite::Statement forget(db,
                           "DELETE FROM gate_stats WHERE run_id = ?1 AND epoch = ?2 AND task = ?3");
  sqlite::Statement expert(db,
                           "INSERT INTO gate_stats (run_id, epoch, task, expert, utilization) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)");
  sqlite::Statement entropy(db,
                            "INSERT OR REPLACE INTO gate_entropy (run_id, epoch, task, "
                            "entropy_nats, entropy_normalized) VALUES (?1, ?2, ?3, ?4, ?5)");
  for (const GateRecord& gate : record.gates) {
    forget.bind_text(1, run_id).bind_int64(2, record.epoch).bind_text(3, gate.task).run();
    forget.reset();
    for (std::size_t e = 0; e < gate.utilization.size(); ++e) {
      expert.bind_text(1, run_id).bind_int64(2, record.epoch).bind_text(3, gate.task);
      expert.bind_int64(4, static_cast<int64_t>(e)).bind_double(5, gate.utilization[e]).run();
      expert.reset();
    }
    entropy.bind_text(1, run_id).bind_int64(2, record.epoch).bind_text(3, gate.task);
    entropy.bind_double(4, gate.entropy_nats).bind_double(5, gate.entropy_normalized).run();
    entropy.reset();
  }
}

// Full diagonal (it carries the class count), off-diagonal cells only when non-zero.
void upsert_confusion(sqlite::Database& db, const std::string& run_id, const EpochRecord& record) {
  sqlite::Statement forget(db,
                           "DELETE FROM confusion_matrix WHERE run_id = ?1 AND epoch = ?2 "
                           "AND task = ?3 AND split = ?4");
  sqlite::Statement cell(db,
                         "INSERT INTO confusion_matrix (run_id, epoch, task, split, true_class, "
                         "predicted_class, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (const ConfusionMatrixRecord& matrix : record.confusion_matrices) {
    forget.bind_text(1, run_id).bind_int64(2, record.epoch).bind_text(3, matrix.task);
    forget.bind_text(4, matrix.split).run();
    forget.reset();
    const int64_t c = matrix.num_classes;
    for (int64_t t = 0; t < c; ++t) {
      for (int64_t p = 0; p < c; ++p) {
        const int64_t count = matrix.counts[static_cast<std::size_t>(t * c + p)];
        if (count == 0 && t != p) continue;
        cell.bind_text(1, run_id).bind_int64(2, record.epoch).bind_text(3, matrix.task);
        cell.bind_text(4, matrix.split).bind_int64(5, t).bind_int64(6, p).bind_int64(7, count).run();
        cell.reset();
      }
    }
  }
}

void check_confusion(const EpochRecord& record, const std::string& display) {
  for (const ConfusionMatrixRecord& matrix : record.confusion_matrices) {
    const int64_t c = matrix.num_classes;
    std::string problem;
    if (c < 1) {
      problem = fmt::format("{} classes", c);
    } else if (matrix.counts.size() != static_cast<std::size_t>(c * c)) {
      problem = fmt::format("{} counts for {} classes (expected {})", matrix.counts.size(), c, c * c);
    } else {
      for (const int64_t count : matrix.counts) {
        if (count < 0) problem = fmt::format("a negative count {}", count);
      }
    }
    if (!problem.empty()) {
      throw StoreError(fmt::format(
          "store '{}': cannot log epoch {}: confusion matrix of task '{}' split '{}' has {}", display,
          record.epoch, matrix.task, matrix.split, problem));
    }
  }
}

void check_epoch_record(const EpochRecord& record, const std::string& display) {
  check_confusion(record, display);
  for (const TaskMetricsRecord& row : record.task_metrics) {
    std::set<int64_t> seen;
    for (const ClassMetricsRecord& c : row.classes) {
      if (c.class_index < 0 || c.support < 0 || !seen.insert(c.class_index).second) {
        throw StoreError(fmt::format(
            "store '{}': cannot log epoch {}: task '{}' split '{}' class {} ('{}') has {}",
            display, record.epoch, row.task, row.split, c.class_index, c.class_name,
            c.class_index < 0 ? "a negative class index"
            : c.support < 0   ? fmt::format("a negative support {}", c.support)
                              : std::string("a class index given twice")));
      }
    }
  }
}

}  // namespace

void run_write(sqlite::Database& db, const std::string& what, const std::function<void()>& body) {
  try {
    sqlite::with_write_transaction(db, what, body);
  } catch (const sqlite::SqliteError& error) {
    throw StoreError(fmt::format("store '{}': cannot {}: {}", db.display(), what,
                                 error.detail().empty() ? error.what() : error.detail()));
  }
}

std::string Store::create_run(const NewRun& run) {
  sqlite::Database& db = impl_->db;
  check_new_run(run, db.display());
  std::string id;
  run_write(db, fmt::format("create a run of experiment '{}'", run.experiment), [&] {
    const std::string now = now_iso8601_utc();
    const int64_t experiment = experiment_id(db, run.experiment, now);
    id = unused_run_id(db);
    sqlite::Statement insert(
        db,
        "INSERT INTO runs (id, experiment_id, name, status, config_yaml, config_hash, git_commit, "
        "host, world_size, command_line, monitor, monitor_mode, started_at, heartbeat_at, sweep_id, "
        "trial) VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14)");
    insert.bind_text(1, id).bind_int64(2, experiment);
    insert.bind_text(3, run.name.empty()
                            ? fmt::format("{}-{}", run.experiment, id.substr(0, kShortIdLength))
                            : run.name);
    insert.bind_text(4, run.config_yaml).bind_text(5, run.config_hash);
    insert.bind_text_or_null(6, run.git_commit).bind_text(7, run.host);
    insert.bind_int64(8, run.world_size).bind_text(9, run.command_line);
    insert.bind_text(10, run.monitor).bind_text_or_null(11, run.monitor_mode.empty() ? monitor_mode(run.monitor) : run.monitor_mode);
    insert.bind_text(12, now).bind_text_or_null(13, run.sweep_id).bind_optional_int64(14, run.trial).run();

    sqlite::Statement param(db, "INSERT INTO params (run_id, key, value) VALUES (?1, ?2, ?3)");
    for (const auto& [key, value] : run.params) {
      param.bind_text(1, id).bind_text(2, key).bind_text(3, value).run();
      param.reset();
    }
    sqlite::Statement tag(db, "INSERT INTO tags (run_id, key, value) VALUES (?1, ?2, ?3)");
    for (const auto& [key, value] : run.tags) {
      tag.bind_text(1, id).bind_text(2, key).bind_text(3, value).run();
      tag.reset();
    }
  });
  return id;
}

void Store::log_epoch(const std::string& run_id, const EpochRecord& record) {
  MMOE_ASSERT(record.epoch >= 1, fmt::format("epochs are 1-based, got {}", record.epoch));
  sqlite::Database& db = impl_->db;
  check_epoch_record(record, db.display());
  run_write(db, fmt::format("log epoch {} of run '{}'", record.epoch, run_id), [&] {
    const std::string now = now_iso8601_utc();
    touch_run(db, run_id, now);
    upsert_epoch(db, run_id, record, now);
    upsert_task_metrics(db, run_id, record);
    upsert_gates(db, run_id, record);
    upsert_confusion(db, run_id, record);
  });
}

void Store::set_best(const std::string& run_id, int64_t epoch, double value) {
  sqlite::Database& db = impl_->db;
  run_write(db, fmt::format("set the best epoch of run '{}'", run_id), [&] {
    const std::string now = now_iso8601_utc();
    touch_run(db, run_id, now);
    sqlite::Statement update(db, "UPDATE runs SET best_epoch = ?2, best_metric = ?3 WHERE id = ?1");
    update.bind_text(1, run_id).bind_int64(2, epoch).bind_double(3, value).run();
  });
}

void Store::finish_run(const std::string& run_id, RunStatus status, const std::string& error) {
  MMOE_ASSERT(status != RunStatus::kRunning, "finish_run needs a final status, not running");
  sqlite::Database& db = impl_->db;
  run_write(db, fmt::format("mark run '{}' {}", run_id, to_string(status)), [&] {
    const std::string now = now_iso8601_utc();
    touch_run(db, run_id, now);
    sqlite::Statement update(db,
                             "UPDATE runs SET status = ?2, error = ?3, ended_at = ?4 WHERE id = ?1");
    update.bind_text(1, run_id).bind_text(2, to_string(status)).bind_text_or_null(3, error);
    update.bind_text(4, now).run();
  });
}

}  // namespace mmoe::tracking
