#include "data/images/unit_record.h"

#include <fstream>
#include <sstream>

#include "data/data_error.h"

namespace mmoe::data {
namespace {

constexpr const char* kMagic = "mmoe-cache-unit 1";

std::string one_line(std::string text) {
  for (auto& c : text) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

std::optional<ImageErrorKind> parse_kind(const std::string& text) {
  for (const auto kind : {ImageErrorKind::kMissing, ImageErrorKind::kTruncated, ImageErrorKind::kNotImage,
                          ImageErrorKind::kUnsupported}) {
    if (text == to_string(kind)) return kind;
  }
  return std::nullopt;
}

}  // namespace

std::optional<UnitRecord> read_unit_record(const std::filesystem::path& shard) {
  std::ifstream in(shard.string() + ".done");
  if (!in) return std::nullopt;
  std::string line;
  if (!std::getline(in, line) || line != kMagic) return std::nullopt;
  UnitRecord record;
  bool has_rows = false, has_provenance = false;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    if (space == std::string::npos) return std::nullopt;
    const std::string key = line.substr(0, space), value = line.substr(space + 1);
    if (key == "rows") {
      try {
        record.rows = std::stoll(value);
      } catch (const std::exception&) {
        return std::nullopt;
      }
      has_rows = true;
    } else if (key == "sha256") {
      record.sha256 = value;
    } else if (key == "provenance") {
      record.provenance_sha256 = value;
      has_provenance = true;
    } else if (key == "bad") {
      std::istringstream fields(value);
      std::string row, kind;
      BadImage bad;
      if (!std::getline(fields, row, '\t') || !std::getline(fields, kind, '\t') ||
          !std::getline(fields, bad.path, '\t')) {
        return std::nullopt;
      }
      std::getline(fields, bad.message);
      const auto parsed = parse_kind(kind);
      if (!parsed) return std::nullopt;
      bad.kind = *parsed;
      try {
        bad.row = std::stoll(row);
      } catch (const std::exception&) {
        return std::nullopt;
      }
      record.bad_images.push_back(bad);
    }
  }
  if (!has_rows || !has_provenance || (record.rows > 0 && record.sha256.empty())) return std::nullopt;
  return record;
}

void write_unit_record(const std::filesystem::path& shard, const UnitRecord& record) {
  const std::filesystem::path done = shard.string() + ".done";
  const std::filesystem::path temporary = shard.string() + ".done.partial";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << kMagic << "\nrows " << record.rows << "\n";
    if (!record.sha256.empty()) out << "sha256 " << record.sha256 << "\n";
    out << "provenance " << record.provenance_sha256 << "\n";
    for (const auto& bad : record.bad_images) {
      out << "bad " << bad.row << '\t' << to_string(bad.kind) << '\t' << one_line(bad.path) << '\t'
          << one_line(bad.message) << "\n";
    }
    out.flush();
    if (!out) throw DataError(temporary.string() + ": cannot write the unit record (disk full or not writable?)");
  }
  std::error_code error;
  std::filesystem::rename(temporary, done, error);
  if (error) throw DataError(done.string() + ": cannot move the unit record into place: " + error.message());
}

}  // namespace mmoe::data
