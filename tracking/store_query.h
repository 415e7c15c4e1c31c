#pragma once
// Pieces shared by Store's queries (store_read.cpp, store_list.cpp, store_export.cpp,
// store_best.cpp): the run summary columns, the WHERE clause of a RunFilter, read transactions.
#include <chrono>
#include <functional>
#include <string>

#include "tracking/run_filter_sql.h"
#include "tracking/sqlite_handle.h"
#include "tracking/store.h"

namespace mmoe::tracking {

// "SELECT <the 12 summary columns>" and " FROM runs AS r JOIN experiments AS e ON ... ".
extern const char* const kRunSummarySelect;
extern const char* const kRunsJoinExperiments;
constexpr int kRunSummaryColumns = 12;

// Reads columns 0-11 of a row of kRunSummarySelect. `cutoff`: stale_cutoff(...).
RunSummary read_summary(const sqlite::Statement& row, const std::string& display,
                        const std::string& cutoff);

// The heartbeat time before which a running run is stale: now - stale_after, ISO 8601.
std::string stale_cutoff(std::chrono::seconds stale_after);

// A boolean SQL expression for filter.experiment, status, stale and where (QueryError when
// `where` does not parse). `cutoff` is the placeholder of the stale cutoff.
std::string run_filter_where(const RunFilter& filter, SqlParams& params, const std::string& cutoff);

// The full id of the one run whose id starts with `id_or_prefix` (case-insensitive);
// StoreError when none or several (store_read.cpp).
std::string resolve_run_id(sqlite::Database& db, const std::string& id_or_prefix);

// The runs matching `filter` (QueryError when its where or sort does not parse); call inside
// run_read so that later reads see the same snapshot.
std::vector<RunSummary> select_runs(sqlite::Database& db, const RunFilter& filter);

// Runs `body` as one write transaction; SQLite failures gain the store and what was attempted
// (store_write.cpp).
void run_write(sqlite::Database& db, const std::string& what, const std::function<void()>& body);

// Runs `body` in a read transaction; SQLite failures gain the store and what was attempted.
void run_read(sqlite::Database& db, const std::string& what, const std::function<void()>& body);

}  // namespace mmoe::tracking
