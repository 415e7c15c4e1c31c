#include "tracking/sqlite_handle.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cmath>
#include <limits>
#include <utility>

namespace mmoe::tracking::sqlite {
namespace {

// The first line of a statement, enough to recognise it in an error message.
std::string sql_excerpt(std::string_view sql) {
  const auto begin = sql.find_first_not_of(" \n\t");
  if (begin == std::string_view::npos) return "";
  sql.remove_prefix(begin);
  const auto end = sql.find('\n');
  std::string line(sql.substr(0, end));
  constexpr std::size_t kMaxChars = 80;
  if (line.size() > kMaxChars) line = line.substr(0, kMaxChars) + "...";
  return line;
}

}  // namespace

bool SqliteError::is_busy() const {
  return primary_code() == SQLITE_BUSY || primary_code() == SQLITE_LOCKED;
}

Database Database::open(const std::filesystem::path& path, int flags, std::string display) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    const int code = db != nullptr ? sqlite3_extended_errcode(db) : rc;
    const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    throw SqliteError(fmt::format("store '{}': cannot open: {}", display, detail), code, detail);
  }
  sqlite3_extended_result_codes(db, 1);
  return Database(db, std::move(display));
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), display_(std::move(other.display_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    display_ = std::move(other.display_);
  }
  return *this;
}

Database::~Database() { sqlite3_close_v2(db_); }

void Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw SqliteError(fmt::format("store '{}': {} (while running: {})", display_, detail,
                                  sql_excerpt(sql)),
                      sqlite3_extended_errcode(db_), detail);
  }
}

void Database::set_busy_timeout_ms(int timeout_ms) {
  const int rc = sqlite3_busy_timeout(db_, timeout_ms);
  if (rc != SQLITE_OK) fail(rc, "cannot set the busy timeout");
}

bool Database::is_read_only() const { return sqlite3_db_readonly(db_, "main") == 1; }

bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

int64_t Database::changes() const { return sqlite3_changes64(db_); }

void Database::fail(int rc, std::string_view context) const {
  const int code = sqlite3_extended_errcode(db_);
  const std::string detail = sqlite3_errmsg(db_);
  throw SqliteError(fmt::format("store '{}': {}: {}", display_, context, detail),
                    code != SQLITE_OK ? code : rc, detail);
}

Statement::Statement(Database& db, std::string_view sql) : db_(&db), sql_(sql) {
  const int rc = sqlite3_prepare_v2(db.get(), sql_.c_str(), static_cast<int>(sql_.size()),
                                    &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    db.fail(rc, fmt::format("cannot prepare '{}'", sql_excerpt(sql_)));
  }
  MMOE_ASSERT(stmt_ != nullptr, "empty SQL statement: " + sql_);
  bound_.assign(static_cast<std::size_t>(sqlite3_bind_parameter_count(stmt_)), false);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      sql_(std::move(other.sql_)),
      bound_(std::move(other.bound_)) {}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::check_bind(int index, int rc) {
  MMOE_ASSERT(index >= 1 && static_cast<std::size_t>(index) <= bound_.size(),
              fmt::format("parameter ?{} out of range (statement has {}): {}", index,
                          bound_.size(), sql_excerpt(sql_)));
  if (rc != SQLITE_OK) db_->fail(rc, fmt::format("cannot bind ?{} of '{}'", index, sql_excerpt(sql_)));
  bound_[static_cast<std::size_t>(index - 1)] = true;
}

Statement& Statement::bind_int64(int index, int64_t value) {
  check_bind(index, sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind_double(int index, double value) {
  check_bind(index, sqlite3_bind_double(stmt_, index, value));
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view value) {
  check_bind(index, sqlite3_bind_text64(stmt_, index, value.data(), value.size(),
                                        SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind_null(int index) {
  check_bind(index, sqlite3_bind_null(stmt_, index));
  return *this;
}

Statement& Statement::bind_optional_double(int index, const std::optional<double>& value) {
  return value ? bind_double(index, *value) : bind_null(index);
}

Statement& Statement::bind_optional_int64(int index, const std::optional<int64_t>& value) {
  return value ? bind_int64(index, *value) : bind_null(index);
}

Statement& Statement::bind_text_or_null(int index, std::string_view value) {
  return value.empty() ? bind_null(index) : bind_text(index, value);
}

bool Statement::step() {
  for (std::size_t i = 0; i < bound_.size(); ++i) {
    MMOE_ASSERT(bound_[i], fmt::format("parameter ?{} not bound: {}", i + 1, sql_excerpt(sql_)));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->fail(rc, fmt::format("'{}' failed", sql_excerpt(sql_)));
}

void Statement::run() {
  const bool has_row = step();
  MMOE_ASSERT(!has_row, "statement returned rows where none were expected: " + sql_);
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bound_.assign(bound_.size(), false);
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

int64_t Statement::column_int64(int index) const { return sqlite3_column_int64(stmt_, index); }

double Statement::column_double(int index) const {
  if (column_is_null(index)) return std::numeric_limits<double>::quiet_NaN();
  return sqlite3_column_double(stmt_, index);
}

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return "";
  const int size = sqlite3_column_bytes(stmt_, index);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::optional<int64_t> Statement::column_optional_int64(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_int64(index);
}

std::optional<double> Statement::column_optional_double(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_double(index);
}

}  // namespace mmoe::tracking::sqlite
