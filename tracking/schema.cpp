#include "tracking/schema.h"

#include <fmt/format.h>

#include "tracking/timestamp.h"
#include "tracking/transaction.h"

namespace mmoe::tracking {
namespace {

constexpr const char* kCreateVersionTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
  version    INTEGER PRIMARY KEY,
  summary    TEXT NOT NULL,
  applied_at TEXT NOT NULL
))sql";

bool has_table(sqlite::Database& db, const char* name) {
  sqlite::Statement query(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  query.bind_text(1, name);
  return query.step();
}

void check_not_newer(const sqlite::Database& db, int version) {
  if (version > latest_schema_version()) {
    throw StoreError(fmt::format(
        "store '{}' has schema version {} but this mmoe knows up to {}; upgrade mmoe-trainer",
        db.display(), version, latest_schema_version()));
  }
}

}  // namespace

int latest_schema_version() { return schema_migrations().back().version; }

int read_schema_version(sqlite::Database& db) {
  sqlite::Statement application(db, "PRAGMA application_id");
  application.step();
  const int64_t application_id = application.column_int64(0);
  if (application_id != 0 && application_id != kStoreApplicationId) {
    throw StoreError(fmt::format(
        "'{}' is not an mmoe store (an SQLite database of another application, id {}); "
        "pass the path of an mmoe store, or a new file name to create one",
        db.display(), application_id));
  }
  if (!has_table(db, "schema_version")) {
    sqlite::Statement count(db,
                            "SELECT COUNT(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' "
                            "ESCAPE '\\'");
    count.step();
    if (count.column_int64(0) > 0) {
      throw StoreError(fmt::format(
          "'{}' is not an mmoe store (an SQLite database without a schema_version table); "
          "pass the path of an mmoe store, or a new file name to create one",
          db.display()));
    }
    return 0;
  }
  sqlite::Statement query(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  query.step();
  return static_cast<int>(query.column_int64(0));
}

void migrate_to_latest(sqlite::Database& db) {
  int version = 0;
  sqlite::retry_while_busy(db, "read the schema version", [&] { version = read_schema_version(db); });
  check_not_newer(db, version);
  for (const Migration& migration : schema_migrations()) {
    if (migration.version <= version) continue;
    sqlite::with_write_transaction(
        db, fmt::format("migrate to schema version {}", migration.version), [&] {
          db.exec(kCreateVersionTable);
          // Another process may have migrated since we looked; decide under the write lock.
          const int current = read_schema_version(db);
          check_not_newer(db, current);
          if (current >= migration.version) return;
          MMOE_ASSERT(current == migration.version - 1,
                      fmt::format("schema migration gap: store at {}, next migration {}", current,
                                  migration.version));
          db.exec(migration.sql);
          sqlite::Statement record(
              db, "INSERT INTO schema_version (version, summary, applied_at) VALUES (?1, ?2, ?3)");
          record.bind_int64(1, migration.version)
              .bind_text(2, migration.summary)
              .bind_text(3, now_iso8601_utc())
              .run();
        });
    version = migration.version;
  }
}

}  // namespace mmoe::tracking
