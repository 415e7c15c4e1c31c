#pragma once
// The labels CSV of `mmoe data import`: the first line is a header; every column except an
// optional `sample_id` becomes a task (docs/data.md):
//   multiclass  one class name per cell; class names map to ids in sorted (byte) order
//   multilabel  label names joined by '|' ("reef|lake"); names map to ids in sorted order
//   regression  a number per cell (one output)
// An empty cell is a missing label. A column's type is declared (`--task name:type`) or
// inferred: every non-empty cell a number -> regression; any cell with '|' -> multilabel;
// otherwise multiclass.
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "data/task_schema.h"

namespace mmoe::data {

inline constexpr const char* kSampleIdColumn = "sample_id";

// "name:type" as --task takes it; DataError for a missing ':' or an unknown type.
std::pair<std::string, TaskType> parse_task_declaration(const std::string& text);

struct ImportedLabels {
  int64_t rows = 0;
  std::vector<TaskSchema> tasks;      // in column order
  std::vector<bool> declared;         // per task: type given by --task (else inferred)
  std::vector<torch::Tensor> labels;  // per task, in-memory encoding of core/task_type.h
  torch::Tensor sample_id;            // int64 [rows]: the sample_id column, or 0 .. rows-1
};

// DataError naming file, line and column for: a missing or empty file, a header without tasks,
// an empty, duplicate or unusable column name, a declaration for a column that does not exist,
// a non-number in a regression column, a non-integer sample_id, a multiclass column with fewer
// than 2 classes, a column without any label. Columns named in `other_columns` (e.g. an image
// manifest's path and split) are neither tasks nor checked.
ImportedLabels read_labels_csv(const std::filesystem::path& path, const std::map<std::string, TaskType>& declared,
                               const std::set<std::string>& other_columns = {});

}  // namespace mmoe::data
