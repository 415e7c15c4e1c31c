#pragma once
// SQL for the filter language and sort keys. Every value and every user-given key name is a
// bound parameter (?N); the SQL text is assembled only from the fixed fragments in
// run_filter_sql.cpp, so no user text is ever spliced into SQL. The fragments refer to the run
// as `r` (runs) and its experiment as `e` (experiments).
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "tracking/run_filter.h"
#include "tracking/sqlite_handle.h"

namespace mmoe::tracking {

using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;  // monostate: NULL

// The parameters of one statement, numbered in the order they are added.
class SqlParams {
 public:
  // Adds a value and returns its placeholder, "?N".
  std::string add(SqlValue value);
  void bind_all(sqlite::Statement& statement) const;

 private:
  std::vector<SqlValue> values_;
};

// `cutoff` is the placeholder of the stale cutoff timestamp (a running run whose heartbeat_at
// is older is stale), used by the status column.
std::string key_sql(const RunKey& key, SqlParams& params, const std::string& cutoff);
// A boolean expression: a comparison with an absent key is false, so `not` selects it.
std::string filter_sql(const FilterNode& node, SqlParams& params, const std::string& cutoff);
// "(r.status = 'running' AND r.heartbeat_at < cutoff)"
std::string stale_sql(const std::string& cutoff);

// Registers mmoe_real(x) on the connection: x as a REAL when it is a number or text that is
// entirely one (leading / trailing spaces allowed), else NULL.
void register_query_functions(sqlite::Database& db);

}  // namespace mmoe::tracking
