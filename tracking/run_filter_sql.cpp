#include "tracking/run_filter_sql.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace mmoe::tracking {
namespace {

const char* column_sql(RunColumn column) {
  switch (column) {
    case RunColumn::kId: return "r.id";
    case RunColumn::kExperiment: return "e.name";
    case RunColumn::kName: return "r.name";
    case RunColumn::kStatus: return nullptr;  // depends on the stale cutoff
    case RunColumn::kHost: return "r.host";
    case RunColumn::kStartedAt: return "r.started_at";
    case RunColumn::kEndedAt: return "r.ended_at";
    case RunColumn::kHeartbeatAt: return "r.heartbeat_at";
    case RunColumn::kMonitor: return "r.monitor";
    case RunColumn::kWorldSize: return "r.world_size";
    case RunColumn::kBestEpoch: return "r.best_epoch";
    case RunColumn::kConfigHash: return "r.config_hash";
    case RunColumn::kGitCommit: return "r.git_commit";
  }
  MMOE_ASSERT(false, "unknown RunColumn");
  return "";
}

const char* operator_sql(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNe: return "<>";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
    case CompareOp::kGlob: return "GLOB";
  }
  MMOE_ASSERT(false, "unknown CompareOp");
  return "";
}

void mmoe_real(sqlite3_context* context, int, sqlite3_value** argv) {
  switch (sqlite3_value_type(argv[0])) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
      sqlite3_result_double(context, sqlite3_value_double(argv[0]));
      return;
    case SQLITE_TEXT: {
      const auto* bytes = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
      const std::string text(bytes, static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
      const char* begin = text.c_str();
      while (*begin == ' ' || *begin == '\t') ++begin;
      char* end = nullptr;
      errno = 0;
      const double value = std::strtod(begin, &end);
      if (end == begin) break;
      while (*end == ' ' || *end == '\t') ++end;
      if (*end != '\0' || std::isnan(value)) break;
      sqlite3_result_double(context, value);
      return;
    }
    default:
      break;
  }
  sqlite3_result_null(context);
}

}  // namespace

std::string SqlParams::add(SqlValue value) {
  values_.push_back(std::move(value));
  return fmt::format("?{}", values_.size());
}

void SqlParams::bind_all(sqlite::Statement& statement) const {
  for (std::size_t i = 0; i < values_.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    const SqlValue& value = values_[i];
    if (std::holds_alternative<int64_t>(value)) {
      statement.bind_int64(index, std::get<int64_t>(value));
    } else if (std::holds_alternative<double>(value)) {
      statement.bind_double(index, std::get<double>(value));
    } else if (std::holds_alternative<std::string>(value)) {
      statement.bind_text(index, std::get<std::string>(value));
    } else {
      statement.bind_null(index);
    }
  }
}

std::string stale_sql(const std::string& cutoff) {
  return fmt::format("(r.status = 'running' AND r.heartbeat_at < {})", cutoff);
}

std::string key_sql(const RunKey& key, SqlParams& params, const std::string& cutoff) {
  switch (key.kind) {
    case RunKeyKind::kParam:
      return fmt::format(
          "(SELECT p.value FROM params AS p WHERE p.run_id = r.id AND p.key = {})",
          params.add(key.name));
    case RunKeyKind::kTag:
      return fmt::format("(SELECT t.value FROM tags AS t WHERE t.run_id = r.id AND t.key = {})",
                         params.add(key.name));
    case RunKeyKind::kMetric:
      return fmt::format(
          "(SELECT m.value FROM metrics AS m WHERE m.run_id = r.id AND m.key = {} "
          "ORDER BY m.epoch DESC LIMIT 1)",
          params.add(key.name));
    case RunKeyKind::kBest:
      return "r.best_metric";
    case RunKeyKind::kColumn:
      if (key.column == RunColumn::kStatus) {
        return fmt::format(
            "(CASE WHEN {} THEN 'stale' ELSE r.status END)",
            stale_sql(cutoff));
      }
      return column_sql(key.column);
  }
  MMOE_ASSERT(false, "unknown RunKeyKind");
  return "";
}

std::string filter_sql(const FilterNode& node, SqlParams& params, const std::string& cutoff) {
  switch (node.kind) {
    case FilterNode::Kind::kCompare: {
      const std::string key = key_sql(node.key, params, cutoff);
      const bool numeric = node.value.is_number && node.op != CompareOp::kGlob;
      const std::string value = numeric ? params.add(node.value.number) : params.add(node.value.text);
      const std::string left =
          numeric ? fmt::format("mmoe_real({})", key) : fmt::format("CAST({} AS TEXT)", key);
      return fmt::format("COALESCE({} {} {}, 0)", left, operator_sql(node.op), value);
    }
    case FilterNode::Kind::kNot:
      return fmt::format("(NOT {})", filter_sql(node.children.at(0), params, cutoff));
    case FilterNode::Kind::kAnd:
    case FilterNode::Kind::kOr: {
      std::string sql = "(";
      for (std::size_t i = 0; i < node.children.size(); ++i) {
        if (i > 0) sql += node.kind == FilterNode::Kind::kAnd ? " AND " : " OR ";
        sql += filter_sql(node.children[i], params, cutoff);
      }
      return sql + ")";
    }
  }
  MMOE_ASSERT(false, "unknown FilterNode kind");
  return "";
}

void register_query_functions(sqlite::Database& db) {
  const int rc = sqlite3_create_function_v2(
      db.get(), "mmoe_real", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
      &mmoe_real, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) db.fail(rc, "cannot register mmoe_real()");
}

}  // namespace mmoe::tracking
