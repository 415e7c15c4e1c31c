#pragma once
// `mmoe runs export`: runs as CSV (RFC 4180: a header row, fields with a comma, quote or line
// break quoted, quotes doubled), a JSON array, or JSON lines (one object per run).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracking/store.h"

namespace mmoe::tracking {

enum class ExportFormat { kCsv, kJson, kJsonl };
std::optional<ExportFormat> parse_export_format(std::string_view text);  // "csv", "json", "jsonl"

// CSV columns: id, experiment, name, status, started_at, ended_at, epochs, monitor, best_epoch,
// best_metric, error, then params.KEY (first run's config order, then new keys as met),
// tags.KEY and metrics.KEY (sorted); an absent value is an empty field. JSON objects have the
// same fields with params, tags and metrics as nested objects.
std::string export_runs_text(const std::vector<RunRecord>& runs, ExportFormat format);

// One CSV field, quoted when needed.
std::string csv_field(std::string_view text);

}  // namespace mmoe::tracking
