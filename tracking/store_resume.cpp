// Store::resume_run: a run continued from a checkpoint keeps its id (docs/checkpoints.md).
#include <fmt/format.h>

#include "tracking/run_status.h"
#include "tracking/store_impl.h"
#include "tracking/timestamp.h"
#include "tracking/transaction.h"

namespace mmoe::tracking {

void Store::resume_run(const std::string& run_id, int64_t completed_epoch) {
  MMOE_ASSERT(completed_epoch >= 0, fmt::format("completed_epoch {} < 0", completed_epoch));
  sqlite::Database& db = impl_->db;
  try {
    sqlite::with_write_transaction(db, fmt::format("resume run '{}'", run_id), [&] {
      sqlite::Statement status(db, "SELECT status FROM runs WHERE id = ?1");
      status.bind_text(1, run_id);
      if (!status.step()) throw StoreError(no_run_message(db.display(), run_id));
      if (parse_run_status(status.column_text(0)) == RunStatus::kFinished) {
        throw StoreError(fmt::format(
            "run '{}' in store '{}' is finished and cannot be resumed; start a new run instead", run_id,
            db.display()));
      }
      sqlite::Statement reopen(db,
                               "UPDATE runs SET status = 'running', ended_at = NULL, error = NULL, "
                               "heartbeat_at = ?2 WHERE id = ?1");
      reopen.bind_text(1, run_id).bind_text(2, now_iso8601_utc()).run();
      sqlite::Statement best(db,
                             "UPDATE runs SET best_epoch = NULL, best_metric = NULL "
                             "WHERE id = ?1 AND best_epoch > ?2");
      best.bind_text(1, run_id).bind_int64(2, completed_epoch).run();
      for (const char* table : {"metrics", "task_metrics", "gate_stats", "gate_entropy", "class_metrics", "confusion_matrix", "epochs"}) {
        sqlite::Statement forget(db, fmt::format("DELETE FROM {} WHERE run_id = ?1 AND epoch > ?2", table));
        forget.bind_text(1, run_id).bind_int64(2, completed_epoch).run();
      }
    });
  } catch (const sqlite::SqliteError& error) {
    throw StoreError(fmt::format("store '{}': cannot resume run '{}': {}", db.display(), run_id,
                                 error.detail().empty() ? error.what() : error.detail()));
  }
}

}  // namespace mmoe::tracking
