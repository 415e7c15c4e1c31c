#include "tracking/transaction.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace mmoe::tracking::sqlite {

void retry_while_busy(const Database& db, std::string_view what,
                      const std::function<void()>& action, const RetryPolicy& policy) {
  auto backoff = policy.first_backoff;
  for (int attempt = 1;; ++attempt) {
    try {
      action();
      return;
    } catch (const SqliteError& error) {
      if (!error.is_busy()) throw;
      if (attempt >= policy.max_attempts) {
        throw StoreError(fmt::format(
            "store '{}' stayed locked by another process while trying to {} ({} attempts, each "
            "waiting up to the busy timeout): {}; check for a process holding a long "
            "transaction (e.g. an open sqlite3 shell), and keep the store on a local disk, not NFS",
            db.display(), what, attempt, error.what()));
      }
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
}

namespace {

void with_transaction(Database& db, const char* begin, std::string_view what,
                      const std::function<void()>& body, const RetryPolicy& policy) {
  MMOE_ASSERT(!db.in_transaction(), "nested transaction");
  retry_while_busy(
      db, what,
      [&] {
        db.exec(begin);
        try {
          body();
          db.exec("COMMIT");
        } catch (...) {
          if (db.in_transaction()) {
            try {
              db.exec("ROLLBACK");
            } catch (const SqliteError&) {
              // The original error is the one worth reporting.
            }
          }
          throw;
        }
      },
      policy);
}

}  // namespace

void with_write_transaction(Database& db, std::string_view what,
                            const std::function<void()>& body, const RetryPolicy& policy) {
  with_transaction(db, "BEGIN IMMEDIATE", what, body, policy);
}

void with_read_transaction(Database& db, std::string_view what, const std::function<void()>& body,
                           const RetryPolicy& policy) {
  with_transaction(db, "BEGIN", what, body, policy);
}

}  // namespace mmoe::tracking::sqlite
