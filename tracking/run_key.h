#pragma once
// Keys of the filter language and of --sort: params.<config.key>, metrics.<name>, metrics.best,
// tags.<key>, and a fixed set of run columns (docs/store.md, "Filter language").
#include <string>
#include <string_view>
#include <vector>

namespace mmoe::tracking {

enum class RunKeyKind {
  kParam,   // params.<name>: a flattened config key
  kMetric,  // metrics.<name>: the value at the latest epoch that logged it
  kBest,    // metrics.best: runs.best_metric
  kTag,     // tags.<name>
  kColumn,  // a run column such as status or started_at
};

enum class RunColumn {
  kId, kExperiment, kName, kStatus, kHost, kStartedAt, kEndedAt, kHeartbeatAt, kMonitor,
  kWorldSize, kBestEpoch, kConfigHash, kGitCommit,
};

struct RunKey {
  RunKeyKind kind = RunKeyKind::kColumn;
  std::string name;  // params / metrics / tags: the part after the first '.'
  RunColumn column = RunColumn::kId;  // kColumn only
  std::string text;  // as written
};

// Whether `c` may appear in a key (letters, digits, '_', '.', '/', '-'; a key starts with a
// letter).
bool is_key_char(char c);

// Parses a key; QueryError (naming `what`, e.g. "filter", and column `column` of it) when it
// is not params.NAME, metrics.NAME, tags.NAME or a known run column.
RunKey parse_run_key(std::string_view text, std::string_view what, std::size_t column);

// The run column names accepted as keys, for messages and docs.
const std::vector<std::string>& run_column_names();

}  // namespace mmoe::tracking
