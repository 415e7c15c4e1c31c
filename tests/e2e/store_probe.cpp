#include "tests/e2e/store_probe.h"

#include <sqlite3.h>

#include <stdexcept>

namespace mmoe::e2e {

std::vector<std::vector<std::string>> query(const std::filesystem::path& store, const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  if (!std::filesystem::exists(store)) return rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(store.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + store.string());
  }
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(db);
    sqlite3_close(db);
    throw std::runtime_error("bad probe query: " + message);
  }
  while (sqlite3_step(statement) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int c = 0; c < sqlite3_column_count(statement); ++c) {
      const auto* text = sqlite3_column_text(statement, c);
      row.push_back(text ? reinterpret_cast<const char*>(text) : "NULL");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

void execute(const std::filesystem::path& store, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(store.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + store.string());
  }
  sqlite3_busy_timeout(db, 10000);
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    sqlite3_close(db);
    throw std::runtime_error("probe statement failed: " + message);
  }
  sqlite3_close(db);
}

int count_running(const std::filesystem::path& store) {
  const auto rows = query(store, "SELECT count(*) FROM runs WHERE status = 'running'");
  return rows.empty() ? 0 : std::stoi(rows[0][0]);
}

}  // namespace mmoe::e2e
