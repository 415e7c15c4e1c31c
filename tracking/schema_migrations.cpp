// The store's schema, as migrations (docs/store.md describes every table and view).
// A released migration is never edited: a change is a new migration appended to the list.
#include "tracking/schema.h"

namespace mmoe::tracking {
namespace {

constexpr const char* kVersion1 = R"sql(
PRAGMA application_id = 1296912197;

CREATE TABLE experiments (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

CREATE TABLE runs (
  id              TEXT PRIMARY KEY CHECK (length(id) = 12 AND id NOT GLOB '*[^0-9a-f]*'),
  experiment_id   INTEGER NOT NULL REFERENCES experiments (id),
  name            TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'finished', 'failed', 'interrupted', 'preempted')),
  error           TEXT,
  config_yaml     TEXT NOT NULL,
  config_hash     TEXT NOT NULL,
  git_commit      TEXT,
  host            TEXT NOT NULL,
  world_size      INTEGER NOT NULL CHECK (world_size >= 1),
  command_line    TEXT NOT NULL,
  monitor         TEXT NOT NULL,
  monitor_mode    TEXT CHECK (monitor_mode IN ('max', 'min')),
  started_at      TEXT NOT NULL,
  ended_at        TEXT,
  heartbeat_at    TEXT NOT NULL,
  best_epoch      INTEGER,
  best_metric     REAL,
  checkpoint_path TEXT,
  sweep_id        TEXT,
  trial           INTEGER
);
CREATE INDEX runs_by_experiment ON runs (experiment_id, started_at);
CREATE INDEX runs_by_started ON runs (started_at);
CREATE INDEX runs_by_sweep ON runs (sweep_id, trial);

CREATE TABLE params (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);

CREATE TABLE tags (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);

CREATE TABLE epochs (
  run_id    TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch     INTEGER NOT NULL CHECK (epoch >= 1),
  step      INTEGER NOT NULL,
  logged_at TEXT NOT NULL,
  PRIMARY KEY (run_id, epoch)
);

CREATE TABLE metrics (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  step   INTEGER NOT NULL,
  epoch  INTEGER NOT NULL,
  value  REAL,
  time   TEXT NOT NULL
);
CREATE INDEX metrics_by_run_key ON metrics (run_id, key);
CREATE INDEX metrics_by_run_epoch ON metrics (run_id, epoch);

CREATE TABLE task_metrics (
  run_id        TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch         INTEGER NOT NULL,
  task          TEXT NOT NULL,
  split         TEXT NOT NULL,
  labelled_rows INTEGER NOT NULL,
  loss          REAL,
  accuracy      REAL,
  macro_f1      REAL,
  weighted_f1   REAL,
  micro_f1      REAL,
  mae           REAL,
  rmse          REAL,
  PRIMARY KEY (run_id, epoch, task, split)
);

CREATE TABLE gate_stats (
  run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch       INTEGER NOT NULL,
  task        TEXT NOT NULL,
  expert      INTEGER NOT NULL CHECK (expert >= 0),
  utilization REAL,
  PRIMARY KEY (run_id, epoch, task, expert)
);

CREATE TABLE gate_entropy (
  run_id             TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch              INTEGER NOT NULL,
  task               TEXT NOT NULL,
  entropy_nats       REAL,
  entropy_normalized REAL,
  PRIMARY KEY (run_id, epoch, task)
);

CREATE VIEW run_summary AS
SELECT r.id, e.name AS experiment, r.name, r.status, r.started_at, r.ended_at,
       (SELECT COUNT(*) FROM epochs AS ep WHERE ep.run_id = r.id) AS epochs,
       r.monitor, r.best_epoch, r.best_metric
FROM runs AS r
JOIN experiments AS e ON e.id = r.experiment_id
ORDER BY r.started_at DESC, r.rowid DESC;

CREATE VIEW final_task_metrics AS
SELECT t.run_id, e.name AS experiment, r.name AS run_name, t.epoch, t.task, t.split,
       t.labelled_rows, t.loss, t.accuracy, t.macro_f1, t.weighted_f1, t.micro_f1, t.mae, t.rmse
FROM task_metrics AS t
JOIN runs AS r ON r.id = t.run_id
JOIN experiments AS e ON e.id = r.experiment_id
WHERE t.epoch = (SELECT MAX(ep.epoch) FROM epochs AS ep WHERE ep.run_id = t.run_id);

CREATE VIEW best_run_per_experiment AS
SELECT experiment, monitor, monitor_mode, run_id, run_name, status, best_epoch, best_metric,
       runs_compared
FROM (
  SELECT e.name AS experiment, r.monitor, r.monitor_mode, r.id AS run_id, r.name AS run_name,
         r.status, r.best_epoch, r.best_metric,
         COUNT(*) OVER (PARTITION BY r.experiment_id, r.monitor) AS runs_compared,
         ROW_NUMBER() OVER (
           PARTITION BY r.experiment_id, r.monitor
           ORDER BY CASE WHEN r.monitor_mode = 'min' THEN r.best_metric ELSE -r.best_metric END,
                    r.started_at) AS place
  FROM runs AS r
  JOIN experiments AS e ON e.id = r.experiment_id
  WHERE r.best_metric IS NOT NULL
)
WHERE place = 1
ORDER BY experiment, monitor;
)sql";


// Version 2: richer per-task metrics (samples F1 for multi-label tasks, ROC AUC, R^2), per-class
// metrics, the final_class_metrics view, and an index for the filter language's metrics.<key>
// look-ups ("the value at the latest epoch that logged it"). runs.checkpoint_path exists since
// version 1, so nothing is added for it.
constexpr const char* kVersion2 = R"sql(
ALTER TABLE task_metrics ADD COLUMN samples_f1 REAL;
ALTER TABLE task_metrics ADD COLUMN auc REAL;
ALTER TABLE task_metrics ADD COLUMN r2 REAL;

CREATE TABLE class_metrics (
  run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch       INTEGER NOT NULL,
  task        TEXT NOT NULL,
  split       TEXT NOT NULL,
  class_index INTEGER NOT NULL CHECK (class_index >= 0),
  class_name  TEXT NOT NULL,
  precision   REAL,
  recall      REAL,
  f1          REAL,
  support     INTEGER NOT NULL CHECK (support >= 0),
  PRIMARY KEY (run_id, epoch, task, split, class_index)
);

DROP INDEX metrics_by_run_key;
CREATE INDEX metrics_by_run_key_epoch ON metrics (run_id, key, epoch);

DROP VIEW final_task_metrics;
CREATE VIEW final_task_metrics AS
SELECT t.run_id, e.name AS experiment, r.name AS run_name, t.epoch, t.task, t.split,
       t.labelled_rows, t.loss, t.accuracy, t.macro_f1, t.weighted_f1, t.micro_f1, t.mae, t.rmse,
       t.samples_f1, t.auc, t.r2
FROM task_metrics AS t
JOIN runs AS r ON r.id = t.run_id
JOIN experiments AS e ON e.id = r.experiment_id
WHERE t.epoch = (SELECT MAX(ep.epoch) FROM epochs AS ep WHERE ep.run_id = t.run_id);

CREATE VIEW final_class_metrics AS
SELECT c.run_id, e.name AS experiment, r.name AS run_name, c.epoch, c.task, c.split,
       c.class_index, c.class_name, c.precision, c.recall, c.f1, c.support
FROM class_metrics AS c
JOIN runs AS r ON r.id = c.run_id
JOIN experiments AS e ON e.id = r.experiment_id
WHERE c.epoch = (SELECT MAX(ep.epoch) FROM epochs AS ep WHERE ep.run_id = c.run_id);
)sql";

// Version 3: validation confusion matrices of multiclass tasks (`mmoe report` plots them). The
// diagonal is stored in full (so the class count is known), other cells only when non-zero.
constexpr const char* kVersion3Confusion = R"sql(
CREATE TABLE confusion_matrix (
  run_id          TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch           INTEGER NOT NULL,
  task            TEXT NOT NULL,
  split           TEXT NOT NULL,
  true_class      INTEGER NOT NULL CHECK (true_class >= 0),
  predicted_class INTEGER NOT NULL CHECK (predicted_class >= 0),
  count           INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (run_id, epoch, task, split, true_class, predicted_class)
);
)sql";

// Version 4: sweeps (docs/sweeps.md). A sweep's trials are runs with runs.sweep_id and
// runs.trial (there since version 1); sweep_trials keeps the values each trial was given, so a
// retried or resumed trial runs with the same values and TPE sees what every trial tried.
constexpr const char* kVersion4Sweeps = R"sql(
CREATE TABLE sweeps (
  id         TEXT PRIMARY KEY CHECK (length(id) = 12 AND id NOT GLOB '*[^0-9a-f]*'),
  name       TEXT NOT NULL UNIQUE,
  spec       TEXT NOT NULL,
  source     TEXT NOT NULL,
  method     TEXT NOT NULL CHECK (method IN ('grid', 'random', 'tpe')),
  objective  TEXT NOT NULL,
  direction  TEXT NOT NULL CHECK (direction IN ('max', 'min')),
  created_at TEXT NOT NULL,
  status     TEXT NOT NULL DEFAULT 'running'
             CHECK (status IN ('running', 'finished', 'failed', 'interrupted'))
);

CREATE TABLE sweep_trials (
  sweep_id   TEXT NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  trial      INTEGER NOT NULL CHECK (trial >= 0),
  assignment TEXT NOT NULL,
  created_at TEXT NOT NULL,
  failed_launches INTEGER NOT NULL DEFAULT 0 CHECK (failed_launches >= 0),
  PRIMARY KEY (sweep_id, trial)
);
)sql";

}  // namespace

const std::vector<Migration>& schema_migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "experiments, runs, params, tags, epochs, metrics, task metrics, gate statistics, views",
       kVersion1},
      {2, "task metrics samples_f1, auc, r2; class_metrics; final_class_metrics view", kVersion2},
      {3, "confusion_matrix (validation confusion counts of multiclass tasks)", kVersion3Confusion},
      {4, "sweeps, sweep_trials", kVersion4Sweeps},
  };
  return kMigrations;
}

}  // namespace mmoe::tracking
