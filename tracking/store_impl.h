#pragma once
// Store's private state and the helpers its .cpp files share (opening, writing, reading).
#include <filesystem>
#include <string>
#include <utility>

#include "tracking/run_filter_sql.h"
#include "tracking/sqlite_handle.h"
#include "tracking/store.h"

namespace mmoe::tracking {

struct Store::Impl {
  Impl(std::filesystem::path store_path, sqlite::Database database)
      : path(std::move(store_path)), db(std::move(database)) {
    register_query_functions(db);
  }
  std::filesystem::path path;
  sqlite::Database db;
};

// "no run 'abc' in store 'x.db'; list runs with: mmoe runs list --store x.db"
std::string no_run_message(const std::string& store_display, const std::string& id);

}  // namespace mmoe::tracking
