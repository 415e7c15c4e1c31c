#pragma once
// RAII wrappers for sqlite3* and sqlite3_stmt* with checked binding: every parameter of a
// statement must be bound before it runs, and every SQLite failure becomes a SqliteError that
// names the store. Values only ever reach SQL through bound parameters.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracking/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace mmoe::tracking::sqlite {

// A failed SQLite call. code() is the extended result code (SQLITE_BUSY, SQLITE_NOTADB, ...).
class SqliteError : public StoreError {
 public:
  SqliteError(const std::string& message, int code, std::string detail = "")
      : StoreError(message), code_(code), detail_(std::move(detail)) {}
  int code() const { return code_; }
  // SQLite's own words ("database disk image is malformed"), without the store prefix.
  const std::string& detail() const { return detail_; }
  int primary_code() const { return code_ & 0xff; }
  bool is_busy() const;  // SQLITE_BUSY or SQLITE_LOCKED: another connection holds a lock

 private:
  int code_;
  std::string detail_;
};

class Database {
 public:
  // Opens (flags as sqlite3_open_v2) with extended result codes on. `display` is the path as
  // the user wrote it and appears in every error message.
  static Database open(const std::filesystem::path& path, int flags, std::string display);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  sqlite3* get() const { return db_; }
  const std::string& display() const { return display_; }

  // Runs SQL without parameters (may hold several statements), e.g. a migration or a PRAGMA.
  void exec(std::string_view sql);
  void set_busy_timeout_ms(int timeout_ms);
  bool is_read_only() const;
  bool in_transaction() const;
  int64_t changes() const;

  // Throws SqliteError for result `rc`, prefixed with the store and `context`.
  [[noreturn]] void fail(int rc, std::string_view context) const;

 private:
  Database(sqlite3* db, std::string display) : db_(db), display_(std::move(display)) {}
  sqlite3* db_ = nullptr;
  std::string display_;
};

class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based as in SQLite (?1, ?2, ...). Each returns *this for chaining.
  Statement& bind_int64(int index, int64_t value);
  Statement& bind_double(int index, double value);  // NaN is stored as NULL by SQLite
  Statement& bind_text(int index, std::string_view value);
  Statement& bind_null(int index);
  Statement& bind_optional_double(int index, const std::optional<double>& value);
  Statement& bind_optional_int64(int index, const std::optional<int64_t>& value);
  Statement& bind_text_or_null(int index, std::string_view value);  // empty -> NULL

  // Steps once: true when a row is available, false when done. Throws if a parameter is unbound.
  bool step();
  // Steps to completion, expecting no rows (INSERT / UPDATE / DELETE).
  void run();
  // Ready to run again; keeps no bindings.
  void reset();

  bool column_is_null(int index) const;
  int64_t column_int64(int index) const;
  double column_double(int index) const;  // NULL reads as NaN
  std::string column_text(int index) const;  // NULL reads as ""
  std::optional<int64_t> column_optional_int64(int index) const;
  std::optional<double> column_optional_double(int index) const;

 private:
  void check_bind(int index, int rc);
  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
  std::vector<bool> bound_;
};

}  // namespace mmoe::tracking::sqlite
