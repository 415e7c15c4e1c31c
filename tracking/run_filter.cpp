// Lexer and recursive-descent parser of the filter language. Precedence: not > and > or;
// keywords are case-insensitive; columns in messages are 1-based character positions.
#include "tracking/run_filter.h"

#include <fmt/format.h>

#include <cstdlib>
#include <optional>

#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

enum class TokenKind { kWord, kNumber, kString, kOp, kOpen, kClose, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;    // word, operator, number as written, or the unquoted string
  std::size_t column;  // 1-based
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return text;
}

bool is_keyword(const Token& token, const char* word) {
  return token.kind == TokenKind::kWord && lower(token.text) == word;
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "the end of the filter";
    case TokenKind::kString:
      return fmt::format("string \"{}\"", token.text);
    default:
      return fmt::format("'{}'", token.text);
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> tokens() {
    std::vector<Token> out;
    for (;;) {
      while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
      if (pos_ >= text_.size()) break;
      out.push_back(next());
    }
    out.push_back(Token{TokenKind::kEnd, "", text_.size() + 1});
    return out;
  }

 private:
  [[noreturn]] void fail(std::size_t pos, const std::string& what) const {
    throw QueryError(fmt::format("filter: {} at column {}", what, pos + 1));
  }

  bool starts_number() const {
    const char c = text_[pos_];
    const auto at = [&](std::size_t i) { return i < text_.size() ? text_[i] : '\0'; };
    if (is_digit(c)) return true;
    if (c == '.') return is_digit(at(pos_ + 1));
    if (c == '-' || c == '+') return is_digit(at(pos_ + 1)) || (at(pos_ + 1) == '.' && is_digit(at(pos_ + 2)));
    return false;
  }

  Token number() {
    const std::size_t start = pos_;
    if (text_[pos_] == '-' || text_[pos_] == '+') ++pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      std::size_t exp = pos_ + 1;
      if (exp < text_.size() && (text_[exp] == '-' || text_[exp] == '+')) ++exp;
      if (exp >= text_.size() || !is_digit(text_[exp])) fail(start, "malformed number exponent");
      pos_ = exp;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && is_key_char(text_[pos_])) {
      fail(start, fmt::format("malformed number '{}'", text_.substr(start, pos_ + 1 - start)));
    }
    return Token{TokenKind::kNumber, std::string(text_.substr(start, pos_ - start)), start + 1};
  }

  Token quoted() {
    const std::size_t start = pos_;
    const char quote = text_[pos_++];
    std::string value;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      value += text_[pos_++];
    }
    if (pos_ >= text_.size()) {
      fail(start, fmt::format("unterminated string: no closing {} for the quote", quote));
    }
    ++pos_;
    return Token{TokenKind::kString, value, start + 1};
  }

  Token next() {
    const std::size_t start = pos_;
    const char c = text_[pos_];
    if (c == '(' || c == ')') {
      ++pos_;
      return Token{c == '(' ? TokenKind::kOpen : TokenKind::kClose, std::string(1, c), start + 1};
    }
    if (c == '"' || c == '\'') return quoted();
    if (starts_number()) return number();
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
      while (pos_ < text_.size() && is_key_char(text_[pos_])) ++pos_;
      return Token{TokenKind::kWord, std::string(text_.substr(start, pos_ - start)), start + 1};
    }
    for (const char* op : {"<=", ">=", "!=", "==", "=", "<", ">", "~"}) {
      if (text_.substr(pos_, std::char_traits<char>::length(op)) == op) {
        pos_ += std::char_traits<char>::length(op);
        return Token{TokenKind::kOp, op, start + 1};
      }
    }
    fail(start, fmt::format("unexpected character '{}'", c));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  FilterNode parse() {
    if (peek().kind == TokenKind::kEnd) fail("expected a comparison such as 'status = \"finished\"'");
    FilterNode node = disjunction();
    if (peek().kind != TokenKind::kEnd) {
      fail(peek().kind == TokenKind::kClose ? "unbalanced ')': expected 'and', 'or' or the end"
                                            : "expected 'and', 'or' or the end");
    }
    return node;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  const Token& take() { return tokens_[pos_++]; }

  [[noreturn]] void fail(const std::string& expected) const {
    throw QueryError(fmt::format("filter: {} at column {} (found {})", expected, peek().column,
                                 describe(peek())));
  }

  FilterNode combine(FilterNode::Kind kind, const char* keyword, FilterNode (Parser::*operand)()) {
    FilterNode first = (this->*operand)();
    if (!is_keyword(peek(), keyword)) return first;
    FilterNode node;
    node.kind = kind;
    node.children.push_back(std::move(first));
    while (is_keyword(peek(), keyword)) {
      take();
      node.children.push_back((this->*operand)());
    }
    return node;
  }

  FilterNode disjunction() { return combine(FilterNode::Kind::kOr, "or", &Parser::conjunction); }
  FilterNode conjunction() { return combine(FilterNode::Kind::kAnd, "and", &Parser::negation); }

  FilterNode negation() {
    if (!is_keyword(peek(), "not")) return primary();
    take();
    FilterNode node;
    node.kind = FilterNode::Kind::kNot;
    node.children.push_back(negation());
    return node;
  }

  FilterNode primary() {
    if (peek().kind == TokenKind::kOpen) {
      take();
      FilterNode inner = disjunction();
      if (peek().kind != TokenKind::kClose) fail("expected ')' or 'and' / 'or'");
      take();
      return inner;
    }
    return comparison();
  }

  FilterNode comparison() {
    const Token& key = peek();
    if (key.kind != TokenKind::kWord || is_keyword(key, "and") || is_keyword(key, "or")) {
      fail("expected a key (params.NAME, metrics.NAME, tags.NAME or a run column), 'not' or '('");
    }
    FilterNode node;
    node.key = parse_run_key(key.text, "filter", key.column);
    take();
    node.op = comparison_operator();
    const Token& value = peek();
    switch (value.kind) {
      case TokenKind::kNumber:
        node.value.is_number = true;
        node.value.number = std::strtod(value.text.c_str(), nullptr);
        node.value.text = value.text;
        break;
      case TokenKind::kString:
        node.value.text = value.text;
        break;
      case TokenKind::kWord:
        if (is_keyword(value, "and") || is_keyword(value, "or") || is_keyword(value, "not")) {
          fail("expected a value (a number or a quoted string)");
        }
        node.value.text = value.text;  // a bare word is a string
        break;
      default:
        fail("expected a value (a number or a quoted string)");
    }
    take();
    return node;
  }

  CompareOp comparison_operator() {
    const Token& op = peek();
    if (op.kind != TokenKind::kOp) fail("expected an operator (=, !=, <, <=, >, >=, ~)");
    take();
    if (op.text == "=" || op.text == "==") return CompareOp::kEq;
    if (op.text == "!=") return CompareOp::kNe;
    if (op.text == "<") return CompareOp::kLt;
    if (op.text == "<=") return CompareOp::kLe;
    if (op.text == ">") return CompareOp::kGt;
    if (op.text == ">=") return CompareOp::kGe;
    return CompareOp::kGlob;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

}  // namespace

const char* to_string(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNe: return "!=";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
    case CompareOp::kGlob: return "~";
  }
  return "?";
}

FilterNode parse_run_filter(std::string_view text) { return Parser(Lexer(text).tokens()).parse(); }

SortKey parse_sort_key(std::string_view text) {
  SortKey sort;
  std::size_t column = 1;
  if (!text.empty() && text.front() == '-') {
    sort.descending = true;
    text.remove_prefix(1);
    column = 2;
  }
  sort.key = parse_run_key(text, "sort", column);
  return sort;
}

}  // namespace mmoe::tracking
