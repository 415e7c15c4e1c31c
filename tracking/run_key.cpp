#include "tracking/run_key.h"

#include <fmt/format.h>

#include <utility>

#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

const std::vector<std::pair<std::string, RunColumn>>& columns() {
  static const std::vector<std::pair<std::string, RunColumn>> kColumns = {
      {"id", RunColumn::kId},
      {"experiment", RunColumn::kExperiment},
      {"name", RunColumn::kName},
      {"status", RunColumn::kStatus},
      {"host", RunColumn::kHost},
      {"started_at", RunColumn::kStartedAt},
      {"ended_at", RunColumn::kEndedAt},
      {"heartbeat_at", RunColumn::kHeartbeatAt},
      {"monitor", RunColumn::kMonitor},
      {"world_size", RunColumn::kWorldSize},
      {"best_epoch", RunColumn::kBestEpoch},
      {"config_hash", RunColumn::kConfigHash},
      {"git_commit", RunColumn::kGitCommit},
  };
  return kColumns;
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

bool is_key_char(char c) {
  return is_alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '/' || c == '-';
}

const std::vector<std::string>& run_column_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const auto& [name, column] : columns()) names.push_back(name);
    return names;
  }();
  return kNames;
}

RunKey parse_run_key(std::string_view text, std::string_view what, std::size_t column) {
  const auto fail = [&](const std::string& why) -> QueryError {
    return QueryError(fmt::format(
        "{}: bad key '{}' at column {}: {}; keys are params.NAME, metrics.NAME, metrics.best, "
        "tags.NAME or one of {}",
        what, text, column, why, fmt::join(run_column_names(), ", ")));
  };
  if (text.empty() || !is_alpha(text.front())) throw fail("a key starts with a letter");
  for (const char c : text) {
    if (!is_key_char(c)) throw fail(fmt::format("character '{}' is not allowed in a key", c));
  }
  RunKey key;
  key.text = std::string(text);
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) {
    for (const auto& [name, value] : columns()) {
      if (text == name) {
        key.kind = RunKeyKind::kColumn;
        key.column = value;
        return key;
      }
    }
    throw fail("unknown run column");
  }
  const std::string_view prefix = text.substr(0, dot);
  key.name = std::string(text.substr(dot + 1));
  if (key.name.empty()) throw fail(fmt::format("nothing after '{}.'", prefix));
  if (prefix == "params") {
    key.kind = RunKeyKind::kParam;
  } else if (prefix == "metrics") {
    key.kind = key.name == "best" ? RunKeyKind::kBest : RunKeyKind::kMetric;
  } else if (prefix == "tags") {
    key.kind = RunKeyKind::kTag;
  } else {
    throw fail(fmt::format("unknown prefix '{}'", prefix));
  }
  return key;
}

}  // namespace mmoe::tracking
