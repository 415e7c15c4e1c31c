#pragma once
// Opening a store this process cannot write (a colleague's, or an archived copy on a read-only
// share) so that it can still be queried. Writes through such a store fail with a StoreError.
#include <filesystem>
#include <string>

#include "tracking/sqlite_handle.h"

namespace mmoe::tracking {

// True for the SQLite failures that mean "no write permission here" (read-only file or
// directory, -wal / -shm not creatable).
bool is_permission_failure(const sqlite::SqliteError& error);

// Opens read-only; when SQLite cannot create the -shm file beside a WAL store and no -wal file
// holds unmerged writes, opens it as immutable instead. The store must be at this build's
// schema version (a read-only store cannot be migrated). Throws SqliteError or StoreError.
sqlite::Database open_read_only(const std::filesystem::path& path, const std::string& display);

}  // namespace mmoe::tracking
