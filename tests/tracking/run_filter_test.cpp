// The filter language: what parses into which tree, and the message (with column) for what
// does not; the generated SQL binds every value and key name.
#include <gtest/gtest.h>

#include "tracking/run_filter.h"
#include "tracking/run_filter_sql.h"
#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

std::string parse_error(const std::string& text) {
  try {
    parse_run_filter(text);
  } catch (const QueryError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a QueryError for: " << text;
  return "";
}

// A compact rendering of a tree: (and a b), (or a b), (not a), key op value#/value$.
std::string show(const FilterNode& node) {
  switch (node.kind) {
    case FilterNode::Kind::kCompare:
      return node.key.text + " " + to_string(node.op) + " " + node.value.text +
             (node.value.is_number ? "#" : "$");
    case FilterNode::Kind::kNot:
      return "(not " + show(node.children.at(0)) + ")";
    default: {
      std::string out = node.kind == FilterNode::Kind::kAnd ? "(and" : "(or";
      for (const FilterNode& child : node.children) out += " " + show(child);
      return out + ")";
    }
  }
}

TEST(RunFilterParse, TheIssueExample) {
  const FilterNode node = parse_run_filter(
      "params.model.num_experts >= 8 and (metrics.val_weighted_f1 > 0.8 or tags.stage = \"final\")");
  EXPECT_EQ(show(node),
            "(and params.model.num_experts >= 8# (or metrics.val_weighted_f1 > 0.8# tags.stage = final$))");
  const FilterNode& experts = node.children.at(0);
  EXPECT_EQ(experts.key.kind, RunKeyKind::kParam);
  EXPECT_EQ(experts.key.name, "model.num_experts");
  EXPECT_DOUBLE_EQ(experts.value.number, 8.0);
  EXPECT_EQ(node.children.at(1).children.at(0).key.kind, RunKeyKind::kMetric);
  EXPECT_EQ(node.children.at(1).children.at(1).key.kind, RunKeyKind::kTag);
}

TEST(RunFilterParse, PrecedenceNotThenAndThenOr) {
  EXPECT_EQ(show(parse_run_filter("status = finished or status = failed and not host ~ 'gpu*'")),
            "(or status = finished$ (and status = failed$ (not host ~ gpu*$)))");
  EXPECT_EQ(show(parse_run_filter("NOT not name = x")), "(not (not name = x$))");
  EXPECT_EQ(show(parse_run_filter("(id = a)")), "id = a$");
  EXPECT_EQ(show(parse_run_filter("params.b = 1 AND tags.x != 2 Or metrics.best <= -1.5e-3")),
            "(or (and params.b = 1# tags.x != 2#) metrics.best <= -1.5e-3#)");
}

TEST(RunFilterParse, ValuesNumbersStringsAndBareWords) {
  const FilterNode lr = parse_run_filter("params.optim.lr<=3e-4");
  EXPECT_TRUE(lr.value.is_number);
  EXPECT_DOUBLE_EQ(lr.value.number, 3e-4);
  EXPECT_EQ(lr.op, CompareOp::kLe);
  const FilterNode quoted = parse_run_filter(R"(tags.note = 'it\'s' )");
  EXPECT_FALSE(quoted.value.is_number);
  EXPECT_EQ(quoted.value.text, "it's");
  const FilterNode escaped = parse_run_filter(R"(tags.note = "say \"hi\"")");
  EXPECT_EQ(escaped.value.text, "say \"hi\"");
  const FilterNode number_text = parse_run_filter("tags.round = \"8\"");
  EXPECT_FALSE(number_text.value.is_number);
  EXPECT_EQ(parse_run_filter("metrics.lr/experts == .5").value.number, 0.5);
  EXPECT_EQ(parse_run_filter("metrics.lr/experts == .5").key.name, "lr/experts");
  EXPECT_EQ(parse_run_filter("metrics.best > 0").key.kind, RunKeyKind::kBest);
  EXPECT_EQ(parse_run_filter("started_at >= '2024-05-01'").key.column, RunColumn::kStartedAt);
}

TEST(RunFilterParse, ErrorsSayWhereAndWhat) {
  EXPECT_EQ(parse_error(""), "filter: expected a comparison such as 'status = \"finished\"' at column 1 (found the end of the filter)");
  EXPECT_EQ(parse_error("params.x >= "),
            "filter: expected a value (a number or a quoted string) at column 13 (found the end of the filter)");
  EXPECT_EQ(parse_error("params.x 8"),
            "filter: expected an operator (=, !=, <, <=, >, >=, ~) at column 10 (found '8')");
  EXPECT_EQ(parse_error("status = finished and"),
            "filter: expected a key (params.NAME, metrics.NAME, tags.NAME or a run column), 'not' or '(' "
            "at column 22 (found the end of the filter)");
  EXPECT_EQ(parse_error("(status = failed"),
            "filter: expected ')' or 'and' / 'or' at column 17 (found the end of the filter)");
  EXPECT_EQ(parse_error("status = failed)"),
            "filter: unbalanced ')': expected 'and', 'or' or the end at column 16 (found ')')");
  EXPECT_EQ(parse_error("status = failed status = finished"),
            "filter: expected 'and', 'or' or the end at column 17 (found 'status')");
  EXPECT_EQ(parse_error("tags.x = \"open"), "filter: unterminated string: no closing \" for the quote at column 10");
  EXPECT_EQ(parse_error("params.x = 8abc"), "filter: malformed number '8a' at column 12");
  EXPECT_EQ(parse_error("params.x = 1e"), "filter: malformed number exponent at column 12");
  EXPECT_EQ(parse_error("params.x ; 1"), "filter: unexpected character ';' at column 10");
  EXPECT_EQ(parse_error("status = and"),
            "filter: expected a value (a number or a quoted string) at column 10 (found 'and')");
  const std::string unknown = parse_error("metric.val_loss < 1");
  EXPECT_EQ(unknown.rfind("filter: bad key 'metric.val_loss' at column 1: unknown prefix 'metric'; keys are "
                          "params.NAME, metrics.NAME, metrics.best, tags.NAME or one of id, experiment, ",
                          0),
            0u)
      << unknown;
  EXPECT_NE(parse_error("colour = red").find("bad key 'colour' at column 1: unknown run column"),
            std::string::npos);
  EXPECT_NE(parse_error("name = 1 and params. = 2").find("bad key 'params.' at column 14: nothing after 'params.'"),
            std::string::npos);
  for (const char* text : {"", "params.x >= ", "(status = failed"}) {
    EXPECT_EQ(parse_error(text).find('\n'), std::string::npos) << "one line: " << text;
  }
}

TEST(RunFilterParse, SortKeys) {
  const SortKey descending = parse_sort_key("-metrics.val_weighted_f1");
  EXPECT_TRUE(descending.descending);
  EXPECT_EQ(descending.key.kind, RunKeyKind::kMetric);
  EXPECT_EQ(descending.key.name, "val_weighted_f1");
  EXPECT_FALSE(parse_sort_key("started_at").descending);
  try {
    parse_sort_key("-bogus");
    ADD_FAILURE() << "no error";
  } catch (const QueryError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("sort: bad key 'bogus' at column 2: unknown run column", 0), 0u)
        << error.what();
  }
}

TEST(RunFilterSql, EveryValueAndKeyNameIsAParameter) {
  SqlParams params;
  const std::string cutoff = params.add(std::string("2024-01-01T00:00:00.000Z"));
  const std::string sql = filter_sql(
      parse_run_filter("tags.x = \"" + std::string("'; DROP TABLE runs; --") +
                       "\" or params.a.b >= 8 or status = stale"),
      params, cutoff);
  EXPECT_EQ(sql.find("DROP"), std::string::npos) << sql;
  EXPECT_EQ(sql.find("a.b"), std::string::npos) << "key names are bound too: " << sql;
  EXPECT_EQ(sql,
            "(COALESCE(CAST((SELECT t.value FROM tags AS t WHERE t.run_id = r.id AND t.key = ?2) AS TEXT) = ?3, 0)"
            " OR COALESCE(mmoe_real((SELECT p.value FROM params AS p WHERE p.run_id = r.id AND p.key = ?4)) >= ?5, 0)"
            " OR COALESCE(CAST((CASE WHEN (r.status = 'running' AND r.heartbeat_at < ?1) THEN 'stale' "
            "ELSE r.status END) AS TEXT) = ?6, 0))");
}

}  // namespace
}  // namespace mmoe::tracking
