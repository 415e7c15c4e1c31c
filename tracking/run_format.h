#pragma once
// Text and JSON renderings of stored runs for the CLI (library code returns strings, never prints).
#include <string>
#include <vector>

#include "tracking/store.h"

namespace mmoe::tracking {

// A fixed-width table: id, experiment, name, status, started, epochs, monitor, best.
std::string format_run_table(const std::vector<RunSummary>& runs);
// Header, tags, resolved config, a per-epoch table, final per-task metrics, gate statistics.
std::string format_run_detail(const RunDetail& run);
// `mmoe runs best`: the mode, how many runs were compared, and the ranked runs.
std::string format_best_runs(const BestRuns& best, const std::string& metric);
// JSON (nlohmann) documents with the same content; stable keys, documented in docs/store.md.
std::string runs_to_json(const std::vector<RunSummary>& runs);
std::string run_detail_to_json(const RunDetail& run);
// {"metric", "mode", "runs_compared", "runs": [{rank, value, epoch, summary...}]}
std::string best_runs_to_json(const BestRuns& best, const std::string& metric);

}  // namespace mmoe::tracking
