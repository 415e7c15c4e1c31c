// Store::open / open_existing: connection settings, schema migration, and one clear message for
// each way a path can fail to be a usable store.
#include <fmt/format.h>
#include <sqlite3.h>

#include <system_error>

#include "tracking/read_only_open.h"
#include "tracking/schema.h"
#include "tracking/store_impl.h"
#include "tracking/transaction.h"

namespace mmoe::tracking {
namespace {

namespace fs = std::filesystem;

std::string directory_display(const fs::path& path) {
  const fs::path parent = path.parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

bool path_exists(const fs::path& path) {
  std::error_code error;
  return fs::exists(path, error);
}

// Checks what SQLite would only report as "unable to open database file".
void check_location(const fs::path& path, const std::string& display, bool must_exist) {
  std::error_code error;
  if (fs::is_directory(path, error)) {
    throw StoreError(fmt::format("store path '{}' is a directory; pass a file path such as '{}'",
                                 display, (path / "mmoe.db").string()));
  }
  if (must_exist && !path_exists(path)) {
    throw StoreError(
        fmt::format("no store at '{}'; train a run first or pass --store PATH", display));
  }
  const fs::path parent = path.parent_path();
  if (!must_exist && !parent.empty() && !fs::is_directory(parent, error)) {
    const bool exists = path_exists(parent);
    throw StoreError(fmt::format(
        "cannot create store '{}': {} '{}' {}; create it or set tracking.store", display,
        exists ? "path" : "directory", parent.string(),
        exists ? "is not a directory" : "does not exist"));
  }
}

// Turns a SQLite failure while opening into a message that says what is wrong with the path.
// `purpose`: "for writing" (Store::open) or "for reading" (open_existing, after the read-only try).
[[noreturn]] void rethrow_open_failure(const sqlite::SqliteError& error, const fs::path& path,
                                       const std::string& display, bool existed,
                                       const char* purpose = "for writing") {
  const std::string detail = error.detail().empty() ? error.what() : error.detail();
  switch (error.primary_code()) {
    case SQLITE_NOTADB:
      throw StoreError(fmt::format(
          "'{}' is not an mmoe store (file is not a database); pass the path of an mmoe store, "
          "or a new file name to create one",
          display));
    case SQLITE_CORRUPT:
      throw StoreError(fmt::format(
          "store '{}' is corrupt ({}); restore it from a backup, or salvage it with: "
          "sqlite3 '{}' .recover",
          display, detail, display));
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_IOERR:
      if (!existed) {
        throw StoreError(fmt::format(
            "cannot create store '{}': directory '{}' is not writable ({}); choose a writable "
            "location or set tracking.store",
            display, directory_display(path), detail));
      }
      throw StoreError(fmt::format(
          "cannot open store '{}' {} ({}); check the permissions of the file and of "
          "directory '{}' (SQLite creates '{}-wal' and '{}-shm' next to the store)",
          display, purpose, detail, directory_display(path), display, display));
    default:
      throw StoreError(fmt::format("cannot open store '{}': {}", display, detail));
  }
}

void configure(sqlite::Database& db) {
  db.set_busy_timeout_ms(sqlite::kBusyTimeoutMs);
  db.exec("PRAGMA foreign_keys = ON");
  std::string mode;
  sqlite::retry_while_busy(db, "enable the WAL journal", [&] {
    sqlite::Statement journal(db, "PRAGMA journal_mode = WAL");
    journal.step();
    mode = journal.column_text(0);
  });
  if (mode != "wal") {
    throw StoreError(fmt::format(
        "store '{}': SQLite could not switch to the WAL journal (journal mode is '{}'); keep the "
        "store on a local disk",
        db.display(), mode));
  }
  db.exec("PRAGMA synchronous = NORMAL");
}

}  // namespace

Store Store::open(const fs::path& path) {
  const std::string display = path.string();
  check_location(path, display, /*must_exist=*/false);
  const bool existed = path_exists(path);
  try {
    auto db = sqlite::Database::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, display);
    if (db.is_read_only()) {
      throw sqlite::SqliteError(fmt::format("store '{}': the file is read-only", display),
                                SQLITE_READONLY, "the file is read-only");
    }
    configure(db);
    migrate_to_latest(db);
    return Store(std::make_unique<Impl>(path, std::move(db)));
  } catch (const sqlite::SqliteError& error) {
    rethrow_open_failure(error, path, display, existed);
  }
}

Store Store::open_existing(const fs::path& path) {
  const std::string display = path.string();
  check_location(path, display, /*must_exist=*/true);
  try {
    auto db = sqlite::Database::open(path, SQLITE_OPEN_READWRITE, display);
    if (!db.is_read_only()) {
      configure(db);
      migrate_to_latest(db);
      return Store(std::make_unique<Impl>(path, std::move(db)));
    }
  } catch (const sqlite::SqliteError& error) {
    if (!is_permission_failure(error)) rethrow_open_failure(error, path, display, /*existed=*/true);
  }
  // Not writable by this process: still good for queries.
  try {
    return Store(std::make_unique<Impl>(path, open_read_only(path, display)));
  } catch (const sqlite::SqliteError& error) {
    rethrow_open_failure(error, path, display, /*existed=*/true, "for reading");
  }
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

const fs::path& Store::path() const { return impl_->path; }

std::string no_run_message(const std::string& store_display, const std::string& id) {
  return fmt::format("no run '{}' in store '{}'; list runs with: mmoe runs list --store {}", id,
                     store_display, store_display);
}

}  // namespace mmoe::tracking
