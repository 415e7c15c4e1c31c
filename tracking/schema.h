#pragma once
// Schema versioning: an ordered list of migrations, each plain SQL applied in its own write
// transaction together with its row in schema_version. A store newer than this build is refused.
#include <cstdint>
#include <vector>

#include "tracking/sqlite_handle.h"

namespace mmoe::tracking {

// PRAGMA application_id of every mmoe store: "MMOE" in ASCII (0x4D4D4F45).
constexpr int64_t kStoreApplicationId = 0x4D4D4F45;

struct Migration {
  int version;          // 1, 2, 3, ... with no gaps
  const char* summary;  // one line, stored in schema_version.summary
  const char* sql;      // statements applied to a store at version - 1
};

// Every migration, ascending (schema_migrations.cpp). Never edit a released one: append.
const std::vector<Migration>& schema_migrations();
int latest_schema_version();

// The store's version: 0 for a new, empty database. StoreError when the file holds tables but
// no schema_version (some other SQLite database).
int read_schema_version(sqlite::Database& db);

// Applies the missing migrations; safe when several processes open a new store at once.
// StoreError when the store's version is newer than latest_schema_version().
void migrate_to_latest(sqlite::Database& db);

}  // namespace mmoe::tracking
