#pragma once
// Runs exported as an MLflow file store (the layout of MLflow's FileStore, which `mlflow ui
// --backend-store-uri DIR` opens; docs/report.md):
//   DIR/<experiment_id>/meta.yaml      artifact_location, creation_time, experiment_id,
//                                      last_update_time, lifecycle_stage, name
//   DIR/<experiment_id>/<run_id>/meta.yaml   artifact_uri, end_time, entry_point_name, experiment_id,
//                                      lifecycle_stage, run_id, run_name, run_uuid, source_name,
//                                      source_type, source_version, start_time, status, tags, user_id
//   .../<run_id>/params/<key>          the value, no newline
//   .../<run_id>/tags/<key>            the value (the run's tags plus mlflow.runName,
//                                      mlflow.source.git.commit, mmoe.store)
//   .../<run_id>/metrics/<key>         "timestamp_ms value step" lines, step = epoch; the scalar
//                                      metrics, then per-task metrics as <split>/<task>/<metric>
//   .../<run_id>/artifacts/            empty
// The experiment id is a decimal hash of the experiment name, so runs of one experiment exported
// at different times land in the same experiment.
#include <filesystem>
#include <string>
#include <vector>

#include "tracking/store.h"

namespace mmoe::tracking {

// MLflow's RunStatus numbers: RUNNING 1, FINISHED 3, FAILED 4, KILLED 5 (interrupted).
int mlflow_status(RunStatus status);
// A stable decimal id (FNV-1a 64 of the name, at most 15 digits).
std::string mlflow_experiment_id(const std::string& experiment);
// Milliseconds since the Unix epoch of a store timestamp ("2024-05-01T12:34:56.789Z"); 0 when
// it does not parse.
int64_t unix_millis(const std::string& iso8601);

struct MlflowRunExport {
  std::string run_id;
  std::string experiment_id;
  std::filesystem::path run_dir;
};

// Writes the runs (ids or unique prefixes) under `mlruns` (created if needed); a run already
// there is replaced. Throws StoreError (unknown run), ReportError (not writable).
std::vector<MlflowRunExport> export_mlflow(const Store& store, const std::vector<std::string>& run_ids,
                                           const std::filesystem::path& mlruns);

}  // namespace mmoe::tracking
