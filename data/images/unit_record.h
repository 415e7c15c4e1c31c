#pragma once
// "<shard>.done": the record `mmoe cache` writes (atomically, after the shard is in place) when a
// unit is complete: its rows, the shard's SHA-256, the provenance hash of the config that wrote
// it, and the unit's bad images. A unit without a record is redone on the next run.
//   mmoe-cache-unit 1
//   rows 640
//   sha256 <64 hex>
//   provenance <64 hex>
//   bad <row>\t<kind>\t<path>\t<message>     (one line per bad image)
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "data/images/image_error.h"

namespace mmoe::data {

struct BadImage {
  int64_t row = 0;  // manifest data row, 0-based
  std::string path;
  ImageErrorKind kind = ImageErrorKind::kMissing;
  std::string message;
};

struct UnitRecord {
  int64_t rows = 0;
  std::string sha256;  // empty when rows == 0 (no shard file)
  std::string provenance_sha256;
  std::vector<BadImage> bad_images;
};

// std::nullopt when "<shard>.done" does not exist or does not parse (then the unit is redone).
std::optional<UnitRecord> read_unit_record(const std::filesystem::path& shard);
void write_unit_record(const std::filesystem::path& shard, const UnitRecord& record);

}  // namespace mmoe::data
