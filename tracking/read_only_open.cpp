#include "tracking/read_only_open.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <system_error>

#include "tracking/schema.h"
#include "tracking/transaction.h"

namespace mmoe::tracking {
namespace {

namespace fs = std::filesystem;

// "file:" URI for `path`: every byte outside [A-Za-z0-9-._~/] percent-encoded, so that '?',
// '#' and '%' in a file name stay part of the name.
std::string file_uri(const fs::path& path, const char* query) {
  std::string uri = "file:";
  for (const char c : path.string()) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' ||
                       c == '~' || c == '/';
    uri += plain ? std::string(1, c) : fmt::format("%{:02X}", byte);
  }
  return uri + "?" + query;
}

bool has_pending_wal(const fs::path& path) {
  std::error_code error;
  const auto size = fs::file_size(fs::path(path.string() + "-wal"), error);
  return !error && size > 0;
}

// A read-only store can be queried only if it is already at the latest schema.
void check_schema(sqlite::Database& db) {
  const int version = read_schema_version(db);
  if (version > latest_schema_version()) {
    migrate_to_latest(db);  // throws the "upgrade mmoe-trainer" message without writing
  }
  if (version < latest_schema_version()) {
    throw StoreError(fmt::format(
        "store '{}' is read-only to this process and has schema version {}, older than this "
        "mmoe's {}; open it once with write access to migrate it",
        db.display(), version, latest_schema_version()));
  }
}

sqlite::Database open_with(const fs::path& path, const std::string& display, const char* query) {
  auto db = sqlite::Database::open(file_uri(path, query), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                                   display);
  db.set_busy_timeout_ms(sqlite::kBusyTimeoutMs);
  check_schema(db);  // the first read: fails here if the WAL index cannot be set up
  return db;
}

}  // namespace

bool is_permission_failure(const sqlite::SqliteError& error) {
  switch (error.primary_code()) {
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return true;
    default:
      return error.code() == SQLITE_IOERR_SHMOPEN;
  }
}

sqlite::Database open_read_only(const fs::path& path, const std::string& display) {
  try {
    return open_with(path, display, "mode=ro");
  } catch (const sqlite::SqliteError& error) {
    if (!is_permission_failure(error) || has_pending_wal(path)) throw;
  }
  // No -shm can be created and nothing waits in a -wal: the main file is the whole store.
  return open_with(path, display, "mode=ro&immutable=1");
}

}  // namespace mmoe::tracking
