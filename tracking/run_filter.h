#pragma once
// The filter language of `mmoe runs list --filter` (docs/store.md, "Filter language"):
//   params.model.num_experts >= 8 and (metrics.val_weighted_f1 > 0.8 or tags.stage = "final")
// parsed into a tree. SQL is generated from the tree by run_filter_sql.h; the text itself never
// reaches SQL.
#include <string>
#include <string_view>
#include <vector>

#include "tracking/run_key.h"

namespace mmoe::tracking {

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe, kGlob };
const char* to_string(CompareOp op);  // "=", "!=", "<", "<=", ">", ">=", "~"

struct FilterValue {
  bool is_number = false;  // a numeric literal: compared numerically
  double number = 0.0;
  std::string text;  // the string (unquoted), or the number as written
};

struct FilterNode {
  enum class Kind { kCompare, kAnd, kOr, kNot };
  Kind kind = Kind::kCompare;
  // kCompare
  RunKey key;
  CompareOp op = CompareOp::kEq;
  FilterValue value;
  // kAnd / kOr: two or more; kNot: one
  std::vector<FilterNode> children;
};

// Parses a filter; QueryError "filter: expected ... at column N (found ...)" when it does not.
FilterNode parse_run_filter(std::string_view text);

// A sort key: a filter-language key with an optional leading '-' for descending.
struct SortKey {
  RunKey key;
  bool descending = false;
};
SortKey parse_sort_key(std::string_view text);

}  // namespace mmoe::tracking
