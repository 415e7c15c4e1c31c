#pragma once
// Transactions that survive other writers: BEGIN IMMEDIATE takes the write lock up front
// (waiting up to the busy timeout), and when SQLite still answers SQLITE_BUSY the whole
// transaction is rolled back and retried with exponential backoff.
#include <chrono>
#include <functional>
#include <string_view>

#include "tracking/sqlite_handle.h"

namespace mmoe::tracking::sqlite {

// How long SQLite itself waits for a lock before answering SQLITE_BUSY (PRAGMA busy_timeout).
constexpr int kBusyTimeoutMs = 30000;

struct RetryPolicy {
  int max_attempts = 8;
  std::chrono::milliseconds first_backoff{20};
  std::chrono::milliseconds max_backoff{2000};
};

// Calls `action` until it does not throw a busy SqliteError, sleeping between attempts; after
// the last attempt throws a StoreError naming the store and `what`.
void retry_while_busy(const Database& db, std::string_view what,
                      const std::function<void()>& action, const RetryPolicy& policy = {});

// Runs `body` between BEGIN IMMEDIATE and COMMIT (rolled back if it throws), retried as above.
// `body` may run more than once, so it must only touch the database and its own locals.
void with_write_transaction(Database& db, std::string_view what,
                            const std::function<void()>& body, const RetryPolicy& policy = {});

// Runs `body` in one read transaction (BEGIN ... COMMIT) so that its queries see one snapshot,
// retried as above in the rare case SQLite reports busy to a reader.
void with_read_transaction(Database& db, std::string_view what, const std::function<void()>& body,
                           const RetryPolicy& policy = {});

}  // namespace mmoe::tracking::sqlite
