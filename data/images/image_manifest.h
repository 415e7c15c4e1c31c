#pragma once
// The image manifest of `mmoe cache`: a CSV with a header; column `path` (the image file,
// relative to the manifest's directory unless absolute), column `split` (train, val, test or any
// name), optional `sample_id`, and one column per task read as `mmoe data import` reads labels
// (data/import_labels.h: class names, `a|b|c` for multilabel, numbers for regression, empty =
// missing).
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "data/import_labels.h"

namespace mmoe::data {

inline constexpr const char* kPathColumn = "path";
inline constexpr const char* kSplitColumn = "split";

struct ImageManifest {
  std::vector<std::filesystem::path> paths;  // per row, resolved
  std::vector<std::string> splits;           // per row
  std::vector<std::string> split_names;      // in order of first appearance
  ImportedLabels labels;                     // tasks, labels and sample ids per row
  std::string sha256;                        // of the manifest file's bytes
};

// DataError naming the file and line for a missing path or split column, an empty path or split
// cell, and everything read_labels_csv refuses.
ImageManifest read_image_manifest(const std::filesystem::path& path, const std::map<std::string, TaskType>& declared);

}  // namespace mmoe::data
