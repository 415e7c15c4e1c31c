// Store::delete_runs: every id resolved first, then one transaction; the rows of other tables
// go with their run (ON DELETE CASCADE, foreign_keys is on for every writable connection).
#include <fmt/format.h>

#include "tracking/store_impl.h"
#include "tracking/store_query.h"

namespace mmoe::tracking {

std::vector<std::string> Store::delete_runs(const std::vector<std::string>& ids_or_prefixes) {
  sqlite::Database& db = impl_->db;
  std::vector<std::string> ids;
  run_write(db, fmt::format("delete {} run(s)", ids_or_prefixes.size()), [&] {
    ids.clear();
    for (const std::string& given : ids_or_prefixes) {
      const std::string id = resolve_run_id(db, given);
      bool listed = false;
      for (const std::string& other : ids) listed = listed || other == id;
      if (!listed) ids.push_back(id);
    }
    sqlite::Statement remove(db, "DELETE FROM runs WHERE id = ?1");
    for (const std::string& id : ids) {
      remove.bind_text(1, id).run();
      remove.reset();
    }
  });
  return ids;
}

}  // namespace mmoe::tracking
