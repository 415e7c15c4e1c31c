#pragma once
// The SQLite experiment store: runs, their resolved configs and params, per-epoch metrics,
// per-task metrics and gate statistics. No LibTorch. Only rank 0 of a job writes.
// Schema (versioned, with migrations) and views: docs/store.md.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "tracking/sweep_records.h"

namespace mmoe::tracking {

// A store that cannot be opened, created, migrated, read or written, or a run id that does not
// exist. The message names the store path and what to do.
class StoreError : public mmoe::Error {
 public:
  using mmoe::Error::Error;
};

// A filter expression or sort key that does not parse (`mmoe runs list --filter/--sort`). The
// message says at which column and what was expected.
class QueryError : public mmoe::Error {
 public:
  using mmoe::Error::Error;
};

// kInterrupted: stopped by the user (SIGINT); kPreempted: stopped by the scheduler (SIGTERM,
// SIGUSR1) with a checkpoint to resume from. Both are resumable.
enum class RunStatus { kRunning, kFinished, kFailed, kInterrupted, kPreempted };
const char* to_string(RunStatus status);  // "running", "finished", "failed", "interrupted"

// A 'running' run whose heartbeat (refreshed by every epoch, best and finish) is older than
// this is shown as 'stale': it most likely died without a word. Its stored status stays running.
constexpr std::chrono::seconds kDefaultStaleAfter{600};

struct NewRun {
  std::string experiment;   // created on first use
  std::string name;         // empty: "<experiment>-<short id>"
  std::string config_yaml;  // resolved config
  std::string config_hash;
  std::vector<std::pair<std::string, std::string>> params;  // flattened config
  std::map<std::string, std::string> tags;
  std::string git_commit;  // may be empty
  std::string host;
  int64_t world_size = 1;
  std::string command_line;
  std::string monitor;  // name of the monitored metric, e.g. "val_weighted_f1"
  std::string monitor_mode;  // "max" or "min"; empty: inferred from the name (min for losses, MAE, RMSE)
  std::string sweep_id;      // empty: not part of a sweep
  std::optional<int64_t> trial;  // the trial index within the sweep
};

// One class of a classification task on one split at the end of one epoch.
struct ClassMetricsRecord {
  int64_t class_index = 0;  // 0-based, as in the dataset's class list
  std::string class_name;
  double precision = 0.0;  // NaN (stored as NULL) when undefined, e.g. nothing predicted
  double recall = 0.0;
  double f1 = 0.0;
  int64_t support = 0;  // labelled rows of this class
};

// One task on one split at the end of one epoch; absent values are not applicable.
struct TaskMetricsRecord {
  std::string task;
  std::string split;  // "train", "val" or "test"
  int64_t labelled_rows = 0;
  std::optional<double> loss;
  std::optional<double> accuracy;
  std::optional<double> macro_f1;
  std::optional<double> weighted_f1;
  std::optional<double> micro_f1;
  std::optional<double> mae;
  std::optional<double> rmse;
  std::optional<double> samples_f1;  // multi-label: mean per-sample F1
  std::optional<double> auc;         // ROC AUC (binary / multi-label: macro over labels)
  std::optional<double> r2;          // regression: coefficient of determination
  std::vector<ClassMetricsRecord> classes;  // ascending class_index; empty when not logged
};

// One task's gate over one epoch.
struct GateRecord {
  std::string task;
  std::vector<double> utilization;  // [E] mean gate weight per expert; sums to 1
  double entropy_nats = 0.0;        // mean per-sample gate entropy
  double entropy_normalized = 0.0;  // entropy / log(E)
};

// One multiclass task's confusion counts on one split (the trainer logs the validation split).
struct ConfusionMatrixRecord {
  std::string task;
  std::string split;
  int64_t num_classes = 0;
  std::vector<int64_t> counts;  // [C * C], counts[true_class * C + predicted_class]
};

struct EpochRecord {
  int64_t epoch = 0;  // 1-based
  int64_t step = 0;   // optimizer steps so far
  // Scalars such as train_loss, val_loss, val_weighted_f1, lr/experts, epoch_time_s, rows_per_s.
  std::vector<std::pair<std::string, double>> metrics;
  std::vector<TaskMetricsRecord> task_metrics;
  std::vector<GateRecord> gates;
  std::vector<ConfusionMatrixRecord> confusion_matrices;  // optional; multiclass tasks only
};

struct RunSummary {
  std::string id;  // 12 lowercase hex characters
  std::string experiment;
  std::string name;
  RunStatus status = RunStatus::kRunning;
  std::string started_at;  // ISO 8601 UTC
  std::string ended_at;    // empty while running
  int64_t epochs_logged = 0;
  std::string monitor;
  std::optional<int64_t> best_epoch;
  std::optional<double> best_metric;
  std::string error;  // set when failed
  std::string heartbeat_at;  // last write by the run
  bool stale = false;  // running, but no heartbeat for longer than the stale threshold
};

// "stale" for a stale run, else to_string(status): what list and show print.
std::string display_status(const RunSummary& run);

struct EpochRow {
  int64_t epoch = 0;
  int64_t step = 0;
  std::map<std::string, double> metrics;
};

struct RunDetail {
  RunSummary summary;
  std::string config_yaml;
  std::string config_hash;
  std::vector<std::pair<std::string, std::string>> params;
  std::map<std::string, std::string> tags;
  std::string git_commit;
  std::string host;
  int64_t world_size = 1;
  std::string command_line;
  std::vector<EpochRow> epochs;                    // ascending
  std::vector<TaskMetricsRecord> final_task_metrics;  // the last logged epoch, every split
  std::vector<GateRecord> final_gates;                 // the last logged epoch
};

// One stored metrics row (MLflow export needs its step and time).
struct MetricPoint {
  std::string key;
  int64_t epoch = 0;
  int64_t step = 0;
  double value = 0.0;  // NaN when stored as NULL
  std::string time;    // ISO 8601 UTC
};

// Everything `mmoe report` and the exports plot or write, epoch by epoch (store_history.cpp).
struct RunHistory {
  RunDetail run;
  std::vector<MetricPoint> metric_points;  // ascending epoch, then logging order
  // (epoch, row) ascending by epoch; rows without their classes.
  std::vector<std::pair<int64_t, TaskMetricsRecord>> task_metrics;
  std::vector<std::pair<int64_t, std::vector<GateRecord>>> gates;  // ascending epoch
  // Each (task, split)'s matrix at the latest epoch that logged one.
  std::vector<ConfusionMatrixRecord> final_confusion;
};

struct RunFilter {
  std::optional<std::string> experiment;
  std::optional<RunStatus> status;  // the stored status
  std::optional<bool> stale;        // true: only stale runs; false: no stale runs
  // The filter language (docs/store.md), e.g. `params.model.num_experts >= 8 and
  // metrics.val_weighted_f1 > 0.8`; empty: every run. QueryError when it does not parse.
  std::string where;
  // A key of the filter language, '-' first for descending; empty: newest first.
  std::string sort;
  int64_t limit = 50;  // <= 0 means no limit
  std::chrono::seconds stale_after = kDefaultStaleAfter;
};

// One run flattened for export: summary, params (config order), tags and final metrics (each
// metrics key's value at the latest epoch that logged it).
struct RunRecord {
  RunSummary summary;
  std::vector<std::pair<std::string, std::string>> params;
  std::map<std::string, std::string> tags;
  std::map<std::string, double> final_metrics;
};

enum class MetricMode { kMax, kMin };
const char* to_string(MetricMode mode);  // "max", "min"

struct BestRunQuery {
  std::string metric;  // a metrics key, e.g. "val_weighted_f1"
  std::optional<std::string> experiment;
  std::string where;  // filter language; empty: every run
  // nullopt: the runs' monitor_mode when `metric` is a monitored metric, else the same rule
  // (min for names with "loss" or ending in mae, mse, error; max otherwise).
  std::optional<MetricMode> mode;
  int64_t top = 1;
  std::chrono::seconds stale_after = kDefaultStaleAfter;
};

struct RankedRun {
  RunSummary summary;
  double value = 0.0;  // the run's best value of the metric over its epochs
  int64_t epoch = 0;   // the epoch it was logged at (the earliest when tied)
};

struct BestRuns {
  MetricMode mode = MetricMode::kMax;
  int64_t runs_compared = 0;    // runs that logged the metric (after the filters)
  std::vector<RankedRun> runs;  // best first, at most `top`
};

// What merge_from did with one source store.
struct MergeReport {
  std::filesystem::path source;
  int64_t runs_copied = 0;
  int64_t runs_identical = 0;  // already in the target with the same content: skipped
  int64_t experiments_created = 0;
};

class Store {
 public:
  // Opens the store at `path`, creating the file (not its directory) if needed, and migrates
  // it to the current schema. WAL journal, busy timeout, foreign keys on.
  static Store open(const std::filesystem::path& path);
  // Opens an existing store; StoreError naming the path when the file does not exist.
  static Store open_existing(const std::filesystem::path& path);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  const std::filesystem::path& path() const;

  // Inserts a run with status 'running' and returns its id.
  std::string create_run(const NewRun& run);
  // Writes one epoch (metrics, task metrics, gates) in one transaction; refreshes heartbeat.
  void log_epoch(const std::string& run_id, const EpochRecord& record);
  // Records the best epoch so far by the run's monitored metric.
  void set_best(const std::string& run_id, int64_t epoch, double value);
  // Ends a run: kFinished, kFailed (error says why) or kInterrupted.
  void finish_run(const std::string& run_id, RunStatus status, const std::string& error = "");
  // Continues a run from a checkpoint of `completed_epoch` (tracking/store_resume.cpp), in one
  // transaction: status back to 'running', ended_at and error cleared, heartbeat refreshed, the
  // rows of epochs > completed_epoch deleted (and the best epoch when it is one of them).
  // StoreError naming the id when the run does not exist or is finished.
  void resume_run(const std::string& run_id, int64_t completed_epoch);

  // Runs matching `filter`, newest first unless filter.sort says otherwise.
  std::vector<RunSummary> list_runs(const RunFilter& filter = {}) const;
  // Accepts a full id or a unique prefix (as git does); StoreError when none or ambiguous.
  RunDetail get_run(const std::string& id_or_prefix,
                    std::chrono::seconds stale_after = kDefaultStaleAfter) const;
  // get_run plus every epoch's task metrics, gates, metric rows and the confusion matrices.
  RunHistory get_history(const std::string& id_or_prefix) const;
  // list_runs plus each run's params, tags and final metrics (store_export.cpp).
  std::vector<RunRecord> export_runs(const RunFilter& filter) const;
  // The runs with the best value of query.metric (store_best.cpp).
  BestRuns best_runs(const BestRunQuery& query) const;
  // Deletes runs (ids or unique prefixes) and every row that belongs to them, in one
  // transaction: all or none. Returns the full ids, in the order given.
  std::vector<std::string> delete_runs(const std::vector<std::string>& ids_or_prefixes);
  // Copies every experiment and run of the store at `source` into this one in one transaction
  // (store_merge.cpp). A run already here with identical content is skipped; with different
  // content it is a StoreError naming the run, and nothing of this source is copied.
  MergeReport merge_from(const std::filesystem::path& source);

  // Sweeps (store_sweeps.cpp, docs/sweeps.md).
  // Sets (replaces) one tag of a run; StoreError when the run does not exist.
  void set_tag(const std::string& run_id, const std::string& key, const std::string& value);
  // Inserts a sweep with status 'running'; StoreError when the name is taken.
  std::string create_sweep(const NewSweep& sweep);
  // By full id, unique id prefix, or name; nullopt when none.
  std::optional<SweepRecord> find_sweep(const std::string& id_prefix_or_name) const;
  void set_sweep_status(const std::string& sweep_id, const std::string& status);
  // Records the values of a trial unless it has some already; returns the stored values (the
  // first writer wins, so concurrent array tasks agree).
  std::string record_sweep_trial(const std::string& sweep_id, int64_t trial, const std::string& assignment);
  std::vector<SweepTrialRecord> sweep_trials(const std::string& sweep_id) const;
  // Counts a trial process that failed before it created a run (it counts as a failed attempt).
  void add_failed_launch(const std::string& sweep_id, int64_t trial);
  // Every run of the sweep, by trial then start time, with its curve of `metric`.
  std::vector<SweepRunRecord> sweep_runs(const std::string& sweep_id, const std::string& metric) const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mmoe::tracking
