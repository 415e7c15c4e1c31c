#pragma once
// A small CSV reader for `mmoe data import`: comma-separated, RFC 4180 quoting ("a,b" and ""
// for a quote inside quotes), LF or CRLF line ends, a UTF-8 byte-order mark ignored. Cells are
// trimmed of surrounding spaces and tabs. Every record keeps its line number for error messages.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace mmoe::data {

struct CsvRecord {
  int64_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> cells;
};

// All records, header included. DataError naming the file for a missing or unreadable file, no
// records at all ("empty CSV"), an unterminated quote, or a record with another number of cells
// than the first (naming its line).
std::vector<CsvRecord> read_csv(const std::filesystem::path& path);

enum class NumberParse { kNumber, kNonFinite, kNotNumber };
// Parses a whole (trimmed) cell as a decimal number ("1", "-2.5e3", "+4"); "nan" and "inf" are
// kNonFinite, "" and anything else kNotNumber.
NumberParse parse_number(const std::string& cell, double& value);

// A numeric CSV of features as float32 [rows, columns]. The first record is a header (skipped)
// when any of its cells is not a number. DataError naming file, line and column (1-based, and
// the header name when there is one) for a cell that is not a finite number.
torch::Tensor read_csv_features(const std::filesystem::path& path);

}  // namespace mmoe::data
