// Store::merge_from: copy another store's experiments and runs (with every row that belongs to
// them) into this one. The source is ATTACHed (its path a bound parameter) and each source is
// one write transaction: all of it or none.
#include <fmt/format.h>

#include <system_error>

#include "tracking/store_impl.h"
#include "tracking/store_query.h"

namespace mmoe::tracking {
namespace {

namespace fs = std::filesystem;

struct RunTable {
  const char* name;
  const char* columns;  // run_id first
};

// Every table that holds rows of a run, with all its columns (schema version 3).
const std::vector<RunTable>& run_tables() {
  static const std::vector<RunTable> kTables = {
      {"params", "run_id, key, value"},
      {"tags", "run_id, key, value"},
      {"epochs", "run_id, epoch, step, logged_at"},
      {"metrics", "run_id, key, step, epoch, value, time"},
      {"task_metrics",
       "run_id, epoch, task, split, labelled_rows, loss, accuracy, macro_f1, weighted_f1, "
       "micro_f1, mae, rmse, samples_f1, auc, r2"},
      {"class_metrics",
       "run_id, epoch, task, split, class_index, class_name, precision, recall, f1, support"},
      {"gate_stats", "run_id, epoch, task, expert, utilization"},
      {"gate_entropy", "run_id, epoch, task, entropy_nats, entropy_normalized"},
      {"confusion_matrix", "run_id, epoch, task, split, true_class, predicted_class, count"},
  };
  return kTables;
}

constexpr const char* kRunColumns =
    "id, name, status, error, config_yaml, config_hash, git_commit, host, world_size, "
    "command_line, monitor, monitor_mode, started_at, ended_at, heartbeat_at, best_epoch, "
    "best_metric, checkpoint_path, sweep_id, trial";

// "a, b" -> "r.a, r.b"
std::string prefixed(const std::string& columns, const std::string& prefix) {
  std::string out = prefix;
  for (const char c : columns) {
    out += c;
    if (c == ' ') out += prefix;
  }
  return out;
}

int64_t count(sqlite::Database& db, const std::string& sql, const std::string& run_id) {
  sqlite::Statement query(db, sql);
  query.bind_text(1, run_id);
  query.step();
  return query.column_int64(0);
}

// Whether two row sets (each "SELECT ... WHERE ... = ?1") hold the same rows.
bool same_rows(sqlite::Database& db, const std::string& ours, const std::string& theirs,
               const std::string& run_id) {
  return count(db, fmt::format("SELECT COUNT(*) FROM ({})", ours), run_id) ==
             count(db, fmt::format("SELECT COUNT(*) FROM ({})", theirs), run_id) &&
         count(db, fmt::format("SELECT COUNT(*) FROM ({} EXCEPT {})", ours, theirs), run_id) == 0 &&
         count(db, fmt::format("SELECT COUNT(*) FROM ({} EXCEPT {})", theirs, ours), run_id) == 0;
}

// Where the run in the target and the one in the source differ: "" when they do not.
std::string first_difference(sqlite::Database& db, const std::string& run_id) {
  const auto run_rows = [](const char* schema) {
    return fmt::format(
        "SELECT e.name, {0} FROM {1}.runs AS r JOIN {1}.experiments AS e ON e.id = r.experiment_id "
        "WHERE r.id = ?1",
        prefixed(kRunColumns, "r."), schema);
  };
  if (!same_rows(db, run_rows("main"), run_rows("src"), run_id)) return "runs";
  for (const RunTable& table : run_tables()) {
    const auto rows = [&](const char* schema) {
      return fmt::format("SELECT {} FROM {}.{} WHERE run_id = ?1", table.columns, schema, table.name);
    };
    if (!same_rows(db, rows("main"), rows("src"), run_id)) return table.name;
  }
  return "";
}

void copy_run(sqlite::Database& db, const std::string& run_id) {
  sqlite::Statement run(
      db, fmt::format("INSERT INTO main.runs (experiment_id, {0}) "
                      "SELECT (SELECT m.id FROM main.experiments AS m WHERE m.name = e.name), {1} "
                      "FROM src.runs AS r JOIN src.experiments AS e ON e.id = r.experiment_id "
                      "WHERE r.id = ?1",
                      kRunColumns, prefixed(kRunColumns, "r.")));
  run.bind_text(1, run_id).run();
  for (const RunTable& table : run_tables()) {
    sqlite::Statement rows(db, fmt::format("INSERT INTO main.{0} ({1}) SELECT {1} FROM src.{0} "
                                           "WHERE run_id = ?1 ORDER BY rowid",
                                           table.name, table.columns));
    rows.bind_text(1, run_id).run();
  }
}

// ATTACH ... AS src for the lifetime of the object.
class Attached {
 public:
  Attached(sqlite::Database& db, const fs::path& source) : db_(db) {
    sqlite::Statement attach(db, "ATTACH DATABASE ?1 AS src");
    attach.bind_text(1, source.string()).run();
  }
  ~Attached() {
    try {
      db_.exec("DETACH DATABASE src");
    } catch (const sqlite::SqliteError&) {
      // Closing the connection detaches it anyway.
    }
  }
  Attached(const Attached&) = delete;
  Attached& operator=(const Attached&) = delete;

 private:
  sqlite::Database& db_;
};

}  // namespace

MergeReport Store::merge_from(const fs::path& source) {
  sqlite::Database& db = impl_->db;
  std::error_code error;
  if (fs::equivalent(source, impl_->path, error)) {
    throw StoreError(fmt::format("cannot merge store '{}' into itself; pass a different --into",
                                 source.string()));
  }
  // Validates the source (an mmoe store, not newer than this build) and migrates it forward, so
  // that its tables have the columns listed above.
  { Store checked = Store::open_existing(source); }

  MergeReport report;
  report.source = source;
  try {
    Attached attached(db, source);
    run_write(db, fmt::format("merge store '{}'", source.string()), [&] {
      report = MergeReport{};
      report.source = source;
      sqlite::Statement experiments(db,
                                    "INSERT INTO main.experiments (name, created_at) "
                                    "SELECT name, created_at FROM src.experiments WHERE 1 "
                                    "ORDER BY id ON CONFLICT (name) DO NOTHING");
      experiments.run();
      report.experiments_created = db.changes();
      sqlite::Statement ids(db, "SELECT id FROM src.runs ORDER BY rowid");
      sqlite::Statement present(db, "SELECT 1 FROM main.runs WHERE id = ?1");
      while (ids.step()) {
        const std::string id = ids.column_text(0);
        present.bind_text(1, id);
        const bool exists = present.step();
        present.reset();
        if (!exists) {
          copy_run(db, id);
          ++report.runs_copied;
          continue;
        }
        const std::string differs = first_difference(db, id);
        if (!differs.empty()) {
          throw StoreError(fmt::format(
              "cannot merge store '{}' into '{}': run '{}' is in both with different content "
              "(table {}); nothing of '{}' was copied; delete one copy (mmoe runs delete) first",
              source.string(), db.display(), id, differs, source.string()));
        }
        ++report.runs_identical;
      }
    });
  } catch (const sqlite::SqliteError& failure) {
    throw StoreError(fmt::format("cannot merge store '{}' into '{}': {}", source.string(),
                                 db.display(),
                                 failure.detail().empty() ? failure.what() : failure.detail()));
  }
  return report;
}

}  // namespace mmoe::tracking
