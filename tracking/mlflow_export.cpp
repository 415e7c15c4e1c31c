#include "tracking/mlflow_export.h"

#include <ctime>
#include <map>
#include <system_error>

#include <fmt/format.h>

#include "tracking/plot_render.h"
#include "tracking/report_error.h"
#include "tracking/run_report.h"

namespace mmoe::tracking {
namespace {

namespace fs = std::filesystem;

// A YAML single-quoted scalar ('' stands for a quote).
std::string yaml_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string file_uri(const fs::path& path) { return "file://" + fs::absolute(path).lexically_normal().string(); }

// MLflow keys become file names; '/' makes sub-directories as in MLflow itself. Refuses keys that
// would leave the directory.
fs::path key_path(const fs::path& dir, const std::string& key) {
  const fs::path relative = fs::path(key).lexically_normal();
  if (key.empty() || relative.is_absolute() || *relative.begin() == "..") {
    throw ReportError(fmt::format("cannot export key '{}' to MLflow: it is not a relative file name", key));
  }
  return dir / relative;
}

void write_key(const fs::path& dir, const std::string& key, const std::string& text) {
  const fs::path path = key_path(dir, key);
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  write_text_file(path, text);
}

std::string metric_value(double value) { return std::isnan(value) ? "nan" : fmt::format("{:.17g}", value); }

void write_experiment_meta(const fs::path& dir, const std::string& id, const std::string& name,
                           int64_t created_ms) {
  write_text_file(dir / "meta.yaml",
                  fmt::format("artifact_location: {}\ncreation_time: {}\nexperiment_id: {}\n"
                              "last_update_time: {}\nlifecycle_stage: active\nname: {}\n",
                              yaml_quote(file_uri(dir)), created_ms, yaml_quote(id), created_ms, yaml_quote(name)));
}

void write_run(const Store& store, const RunHistory& history, const fs::path& run_dir, const std::string& experiment_id) {
  const RunDetail& run = history.run;
  const RunSummary& s = run.summary;
  std::error_code error;
  fs::remove_all(run_dir, error);
  for (const char* sub : {"params", "metrics", "tags", "artifacts"}) fs::create_directories(run_dir / sub, error);
  if (error) {
    throw ReportError(fmt::format("cannot create '{}': {}; pass a writable --out", run_dir.string(), error.message()));
  }
  const int64_t start = unix_millis(s.started_at);
  write_text_file(run_dir / "meta.yaml",
                  fmt::format("artifact_uri: {}\nend_time: {}\nentry_point_name: ''\nexperiment_id: {}\n"
                              "lifecycle_stage: active\nrun_id: {}\nrun_name: {}\nrun_uuid: {}\nsource_name: ''\n"
                              "source_type: 4\nsource_version: ''\nstart_time: {}\nstatus: {}\ntags: []\n"
                              "user_id: {}\n",
                              yaml_quote(file_uri(run_dir / "artifacts")),
                              s.ended_at.empty() ? std::string("null") : std::to_string(unix_millis(s.ended_at)),
                              yaml_quote(experiment_id), s.id, yaml_quote(s.name), s.id, start,
                              mlflow_status(s.status), yaml_quote(run.host)));
  for (const auto& [key, value] : run.params) write_key(run_dir / "params", key, value);
  std::map<std::string, std::string> tags = run.tags;
  tags["mlflow.runName"] = s.name;
  if (!run.git_commit.empty()) tags["mlflow.source.git.commit"] = run.git_commit;
  tags["mmoe.store"] = store.path().string();
  for (const auto& [key, value] : tags) write_key(run_dir / "tags", key, value);

  std::map<std::string, std::string> metrics;
  std::map<int64_t, int64_t> epoch_time;  // epoch -> ms of its first metrics row
  for (const MetricPoint& point : history.metric_points) {
    const int64_t ms = unix_millis(point.time);
    epoch_time.try_emplace(point.epoch, ms);
    metrics[point.key] += fmt::format("{} {} {}\n", ms, metric_value(point.value), point.epoch);
  }
  for (const auto& [epoch, row] : history.task_metrics) {
    const int64_t ms = epoch_time.count(epoch) ? epoch_time[epoch] : start;
    const std::pair<const char*, std::optional<double>> values[] = {
        {"loss", row.loss},         {"accuracy", row.accuracy}, {"macro_f1", row.macro_f1},
        {"weighted_f1", row.weighted_f1}, {"micro_f1", row.micro_f1}, {"samples_f1", row.samples_f1},
        {"auc", row.auc},           {"mae", row.mae},           {"rmse", row.rmse}, {"r2", row.r2}};
    for (const auto& [name, value] : values) {
      if (!value) continue;
      metrics[fmt::format("{}/{}/{}", row.split, row.task, name)] +=
          fmt::format("{} {} {}\n", ms, metric_value(*value), epoch);
    }
  }
  for (const auto& [key, lines] : metrics) write_key(run_dir / "metrics", key, lines);
}

}  // namespace

int mlflow_status(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning: return 1;
    case RunStatus::kFinished: return 3;
    case RunStatus::kFailed: return 4;
    case RunStatus::kInterrupted: return 5;
  }
  return 1;
}

std::string mlflow_experiment_id(const std::string& experiment) {
  uint64_t hash = 14695981039346656037ull;
  for (const char c : experiment) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return std::to_string(hash % 1000000000000000ull);
}

int64_t unix_millis(const std::string& iso8601) {
  std::tm tm{};
  int millis = 0;
  if (std::sscanf(iso8601.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &millis) < 6) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + millis;
}

std::vector<MlflowRunExport> export_mlflow(const Store& store, const std::vector<std::string>& run_ids,
                                           const fs::path& mlruns) {
  prepare_output_directory(mlruns);
  std::vector<MlflowRunExport> exported;
  for (const std::string& id : run_ids) {
    const RunHistory history = store.get_history(id);
    const RunSummary& s = history.run.summary;
    const std::string experiment_id = mlflow_experiment_id(s.experiment);
    const fs::path experiment_dir = mlruns / experiment_id;
    if (!fs::exists(experiment_dir / "meta.yaml")) {
      std::error_code error;
      fs::create_directories(experiment_dir, error);
      write_experiment_meta(experiment_dir, experiment_id, s.experiment, unix_millis(s.started_at));
    }
    write_run(store, history, experiment_dir / s.id, experiment_id);
    exported.push_back({s.id, experiment_id, experiment_dir / s.id});
  }
  return exported;
}

}  // namespace mmoe::tracking
