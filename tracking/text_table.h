#pragma once
// A plain-text table with aligned columns, for the CLI's run listings and run details.
#include <cstddef>
#include <string>
#include <vector>

namespace mmoe::tracking {

class TextTable {
 public:
  enum class Align { kLeft, kRight };

  // One header cell per column; every column is left-aligned until set_align says otherwise.
  explicit TextTable(std::vector<std::string> header);
  void set_align(std::size_t column, Align align);
  // Short rows are padded with empty cells; long rows are an error (an internal bug).
  void add_row(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }

  // Each line starts with `indent`; columns are separated by two spaces; no trailing spaces.
  std::string render(const std::string& indent = "") const;

 private:
  std::vector<std::string> header_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;
};

// Display width of UTF-8 text: its number of code points (experiment names may be non-ASCII).
std::size_t display_width(const std::string& text);

}  // namespace mmoe::tracking
