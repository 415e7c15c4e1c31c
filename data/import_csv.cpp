#include "data/import_csv.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "data/data_error.h"

namespace mmoe::data {
namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::string read_all(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw DataError("'" + path.string() + "' does not exist");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path.string() + ": cannot open for reading");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::vector<CsvRecord> read_csv(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::string text = read_all(path);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::vector<CsvRecord> records;
  CsvRecord record{1, {}};
  std::string cell;
  bool in_quotes = false, cell_quoted = false;
  int64_t line = 1;
  auto end_cell = [&] {
    record.cells.push_back(cell_quoted ? cell : trim(cell));
    cell.clear();
    cell_quoted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
    } else if (c == '"' && trim(cell).empty()) {
      in_quotes = true;
      cell_quoted = true;
      cell.clear();
    } else if (c == ',') {
      end_cell();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_cell();
      records.push_back(std::move(record));
      record = CsvRecord{++line, {}};
    } else if (!cell_quoted) {
      cell += c;
    }
  }
  if (in_quotes) throw DataError(file + ": line " + std::to_string(record.line) + ": unterminated quoted cell");
  if (!cell.empty() || !record.cells.empty() || cell_quoted) {
    end_cell();
    records.push_back(std::move(record));
  }
  if (records.empty()) throw DataError(file + ": empty CSV (no rows)");
  const size_t width = records.front().cells.size();
  for (const auto& r : records) {
    if (r.cells.size() != width) {
      throw DataError(file + ": line " + std::to_string(r.line) + " has " + std::to_string(r.cells.size()) +
                      " cells but line " + std::to_string(records.front().line) + " has " + std::to_string(width));
    }
  }
  return records;
}

NumberParse parse_number(const std::string& cell, double& value) {
  const std::string text = trim(cell);
  size_t start = !text.empty() && text[0] == '+' ? 1 : 0;
  if (start == text.size()) return NumberParse::kNotNumber;
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data() + start, end, value);
  if (result.ec != std::errc() || result.ptr != end) return NumberParse::kNotNumber;
  return std::isfinite(value) ? NumberParse::kNumber : NumberParse::kNonFinite;
}

torch::Tensor read_csv_features(const std::filesystem::path& path) {
  const std::string file = path.string();
  const auto records = read_csv(path);
  double value = 0.0;
  bool has_header = false;
  for (const auto& cell : records.front().cells) has_header |= parse_number(cell, value) == NumberParse::kNotNumber;
  const size_t first = has_header ? 1 : 0;
  if (records.size() == first) throw DataError(file + ": has a header line but no data rows");
  const auto rows = static_cast<int64_t>(records.size() - first);
  const auto columns = static_cast<int64_t>(records.front().cells.size());
  auto features = torch::empty({rows, columns}, torch::kFloat32);
  auto out = features.accessor<float, 2>();
  for (int64_t r = 0; r < rows; ++r) {
    const auto& record = records[first + static_cast<size_t>(r)];
    for (int64_t c = 0; c < columns; ++c) {
      const auto& cell = record.cells[static_cast<size_t>(c)];
      const auto parsed = parse_number(cell, value);
      if (parsed != NumberParse::kNumber) {
        const std::string column_name =
            has_header ? " ('" + records.front().cells[static_cast<size_t>(c)] + "')" : std::string();
        throw DataError(file + ": line " + std::to_string(record.line) + " column " + std::to_string(c + 1) +
                        column_name + ": '" + cell + "' is not " +
                        (parsed == NumberParse::kNonFinite ? "a finite number" : "a number") +
                        "; features must be finite numbers");
      }
      out[r][c] = static_cast<float>(value);
    }
  }
  return features;
}

}  // namespace mmoe::data
