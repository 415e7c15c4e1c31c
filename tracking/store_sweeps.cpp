// Store's sweep tables: sweeps, sweep_trials, and the runs linked to a sweep (docs/sweeps.md).
#include <fmt/format.h>

#include "tracking/run_id.h"
#include "tracking/store_impl.h"
#include "tracking/store_query.h"
#include "tracking/timestamp.h"

namespace mmoe::tracking {
namespace {

constexpr const char* kSweepColumns =
    "SELECT id, name, spec, source, method, objective, direction, created_at, status FROM sweeps ";

SweepRecord read_sweep(const sqlite::Statement& row) {
  SweepRecord sweep;
  sweep.id = row.column_text(0);
  sweep.name = row.column_text(1);
  sweep.spec_text = row.column_text(2);
  sweep.source = row.column_text(3);
  sweep.method = row.column_text(4);
  sweep.metric = row.column_text(5);
  sweep.direction = row.column_text(6);
  sweep.created_at = row.column_text(7);
  sweep.status = row.column_text(8);
  return sweep;
}

}  // namespace

void Store::set_tag(const std::string& run_id, const std::string& key, const std::string& value) {
  sqlite::Database& db = impl_->db;
  run_write(db, fmt::format("tag run '{}'", run_id), [&] {
    sqlite::Statement exists(db, "SELECT 1 FROM runs WHERE id = ?1");
    exists.bind_text(1, run_id);
    if (!exists.step()) throw StoreError(no_run_message(db.display(), run_id));
    sqlite::Statement tag(db, "INSERT OR REPLACE INTO tags (run_id, key, value) VALUES (?1, ?2, ?3)");
    tag.bind_text(1, run_id).bind_text(2, key).bind_text(3, value).run();
  });
}

std::string Store::create_sweep(const NewSweep& sweep) {
  sqlite::Database& db = impl_->db;
  std::string id;
  run_write(db, fmt::format("create sweep '{}'", sweep.name), [&] {
    sqlite::Statement taken(db, "SELECT id FROM sweeps WHERE name = ?1");
    taken.bind_text(1, sweep.name);
    if (taken.step()) {
      throw StoreError(fmt::format("store '{}': a sweep named '{}' exists already (id {}); resume it or rename the "
                                   "new one",
                                   db.display(), sweep.name, taken.column_text(0)));
    }
    sqlite::Statement used(db, "SELECT 1 FROM sweeps WHERE id = ?1");
    for (;;) {
      id = new_run_id();
      used.bind_text(1, id);
      const bool exists = used.step();
      used.reset();
      if (!exists) break;
    }
    sqlite::Statement insert(db,
                             "INSERT INTO sweeps (id, name, spec, source, method, objective, direction, created_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    insert.bind_text(1, id).bind_text(2, sweep.name).bind_text(3, sweep.spec_text).bind_text(4, sweep.source);
    insert.bind_text(5, sweep.method).bind_text(6, sweep.metric).bind_text(7, sweep.direction);
    insert.bind_text(8, now_iso8601_utc()).run();
  });
  return id;
}

std::optional<SweepRecord> Store::find_sweep(const std::string& id_prefix_or_name) const {
  sqlite::Database& db = impl_->db;
  std::optional<SweepRecord> found;
  run_read(db, fmt::format("find sweep '{}'", id_prefix_or_name), [&] {
    found.reset();
    sqlite::Statement by_name(db, std::string(kSweepColumns) + "WHERE name = ?1");
    by_name.bind_text(1, id_prefix_or_name);
    if (by_name.step()) {
      found = read_sweep(by_name);
      return;
    }
    sqlite::Statement by_id(db, std::string(kSweepColumns) + "WHERE substr(id, 1, length(?1)) = ?1 LIMIT 2");
    by_id.bind_text(1, id_prefix_or_name);
    if (id_prefix_or_name.empty() || !by_id.step()) return;
    SweepRecord first = read_sweep(by_id);
    if (by_id.step()) {
      throw StoreError(fmt::format("store '{}': sweep id prefix '{}' is ambiguous; give more characters",
                                   db.display(), id_prefix_or_name));
    }
    found = std::move(first);
  });
  return found;
}

void Store::set_sweep_status(const std::string& sweep_id, const std::string& status) {
  sqlite::Database& db = impl_->db;
  run_write(db, fmt::format("mark sweep '{}' {}", sweep_id, status), [&] {
    sqlite::Statement update(db, "UPDATE sweeps SET status = ?2 WHERE id = ?1");
    update.bind_text(1, sweep_id).bind_text(2, status).run();
  });
}

std::string Store::record_sweep_trial(const std::string& sweep_id, int64_t trial, const std::string& assignment) {
  sqlite::Database& db = impl_->db;
  std::string stored;
  run_write(db, fmt::format("record trial {} of sweep '{}'", trial, sweep_id), [&] {
    sqlite::Statement insert(db,
                             "INSERT INTO sweep_trials (sweep_id, trial, assignment, created_at) VALUES (?1, ?2, ?3, ?4) "
                             "ON CONFLICT (sweep_id, trial) DO NOTHING");
    insert.bind_text(1, sweep_id).bind_int64(2, trial).bind_text(3, assignment).bind_text(4, now_iso8601_utc()).run();
    sqlite::Statement read(db, "SELECT assignment FROM sweep_trials WHERE sweep_id = ?1 AND trial = ?2");
    read.bind_text(1, sweep_id).bind_int64(2, trial);
    const bool found = read.step();
    MMOE_ASSERT(found, "sweep trial missing right after insert");
    stored = read.column_text(0);
  });
  return stored;
}

std::vector<SweepTrialRecord> Store::sweep_trials(const std::string& sweep_id) const {
  sqlite::Database& db = impl_->db;
  std::vector<SweepTrialRecord> trials;
  run_read(db, fmt::format("read the trials of sweep '{}'", sweep_id), [&] {
    trials.clear();
    sqlite::Statement rows(
        db, "SELECT trial, assignment, failed_launches FROM sweep_trials WHERE sweep_id = ?1 ORDER BY trial");
    rows.bind_text(1, sweep_id);
    while (rows.step()) trials.push_back({rows.column_int64(0), rows.column_text(1), rows.column_int64(2)});
  });
  return trials;
}

void Store::add_failed_launch(const std::string& sweep_id, int64_t trial) {
  sqlite::Database& db = impl_->db;
  run_write(db, fmt::format("count a failed launch of trial {} of sweep '{}'", trial, sweep_id), [&] {
    sqlite::Statement update(db,
                             "UPDATE sweep_trials SET failed_launches = failed_launches + 1 "
                             "WHERE sweep_id = ?1 AND trial = ?2");
    update.bind_text(1, sweep_id).bind_int64(2, trial).run();
  });
}

std::vector<SweepRunRecord> Store::sweep_runs(const std::string& sweep_id, const std::string& metric) const {
  sqlite::Database& db = impl_->db;
  std::vector<SweepRunRecord> runs;
  run_read(db, fmt::format("read the runs of sweep '{}'", sweep_id), [&] {
    runs.clear();
    sqlite::Statement rows(db,
                           "SELECT r.id, r.trial, r.status, t.value, r.started_at FROM runs AS r "
                           "LEFT JOIN tags AS t ON t.run_id = r.id AND t.key = ?2 "
                           "WHERE r.sweep_id = ?1 ORDER BY r.trial, r.started_at, r.rowid");
    rows.bind_text(1, sweep_id).bind_text(2, kStoppedEarlyTag);
    sqlite::Statement curve(db,
                            "SELECT epoch, value FROM metrics WHERE run_id = ?1 AND key = ?2 AND value IS NOT NULL "
                            "ORDER BY epoch");
    while (rows.step()) {
      SweepRunRecord run;
      run.run_id = rows.column_text(0);
      run.trial = rows.column_int64(1);
      run.status = rows.column_text(2);
      run.stopped_early = rows.column_text(3);
      run.started_at = rows.column_text(4);
      curve.bind_text(1, run.run_id).bind_text(2, metric);
      while (curve.step()) run.curve[curve.column_int64(0)] = curve.column_double(1);
      curve.reset();
      runs.push_back(std::move(run));
    }
  });
  return runs;
}

}  // namespace mmoe::tracking
