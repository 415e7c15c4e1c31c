#include "data/images/image_manifest.h"

#include <algorithm>

#include "core/sha256.h"
#include "data/data_error.h"
#include "data/import_csv.h"

namespace mmoe::data {

ImageManifest read_image_manifest(const std::filesystem::path& path, const std::map<std::string, TaskType>& declared) {
  const std::string file = path.string();
  const auto records = read_csv(path);
  const auto& header = records.front().cells;
  auto column_of = [&](const char* name) {
    const auto found = std::find(header.begin(), header.end(), name);
    if (found == header.end()) {
      throw DataError(file + ": no '" + name + "' column in the header (an image manifest needs path, split and task columns)");
    }
    return static_cast<size_t>(found - header.begin());
  };
  const size_t path_column = column_of(kPathColumn), split_column = column_of(kSplitColumn);
  ImageManifest manifest;
  manifest.labels = read_labels_csv(path, declared, {kPathColumn, kSplitColumn});
  const auto base = path.parent_path();
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& cells = records[r].cells;
    const std::string at = file + ": line " + std::to_string(records[r].line);
    if (cells[path_column].empty()) throw DataError(at + ": empty 'path' cell; every row names an image file");
    if (cells[split_column].empty()) throw DataError(at + ": empty 'split' cell; name the split (train, val, test)");
    const std::filesystem::path image = cells[path_column];
    manifest.paths.push_back(image.is_absolute() ? image : base / image);
    manifest.splits.push_back(cells[split_column]);
    if (std::find(manifest.split_names.begin(), manifest.split_names.end(), cells[split_column]) ==
        manifest.split_names.end()) {
      manifest.split_names.push_back(cells[split_column]);
    }
  }
  manifest.sha256 = sha256_file_hex(path);
  return manifest;
}

}  // namespace mmoe::data
