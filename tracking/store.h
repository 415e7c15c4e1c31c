#pragma once
// The SQLite experiment store: runs, their resolved configs and params, per-epoch metrics,
// per-task metrics and gate statistics. No LibTorch. Only rank 0 of a job writes.
// Schema (versioned, with migrations) and views: docs/store.md.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace mmoe::tracking {

// A store that cannot be opened, created, migrated, read or written, or a run id that does not
// exist. The message names the store path and what to do.
class StoreError : public mmoe::Error {
 public:
  using mmoe::Error::Error;
};

enum class RunStatus { kRunning, kFinished, kFailed, kInterrupted };
const char* to_string(RunStatus status);  // "running", "finished", "failed", "interrupted"

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
};

// One task's gate over one epoch.
struct GateRecord {
  std::string task;
  std::vector<double> utilization;  // [E] mean gate weight per expert; sums to 1
  double entropy_nats = 0.0;        // mean per-sample gate entropy
  double entropy_normalized = 0.0;  // entropy / log(E)
};

struct EpochRecord {
  int64_t epoch = 0;  // 1-based
  int64_t step = 0;   // optimizer steps so far
  // Scalars such as train_loss, val_loss, val_weighted_f1, lr/experts, epoch_time_s, rows_per_s.
  std::vector<std::pair<std::string, double>> metrics;
  std::vector<TaskMetricsRecord> task_metrics;
  std::vector<GateRecord> gates;
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
};

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

struct RunFilter {
  std::optional<std::string> experiment;
  std::optional<RunStatus> status;
  int64_t limit = 50;  // newest first; <= 0 means no limit
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

  std::vector<RunSummary> list_runs(const RunFilter& filter = {}) const;
  // Accepts a full id or a unique prefix (as git does); StoreError when none or ambiguous.
  RunDetail get_run(const std::string& id_or_prefix) const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mmoe::tracking
