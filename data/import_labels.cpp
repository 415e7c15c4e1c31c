#include "data/import_labels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

#include "data/data_error.h"
#include "data/import_csv.h"

namespace mmoe::data {
namespace {

struct Column {
  std::string name;
  size_t index = 0;
};

std::string where(const std::string& file, int64_t line, size_t column, const std::string& name) {
  return file + ": line " + std::to_string(line) + " column " + std::to_string(column + 1) + " ('" + name + "')";
}

std::vector<std::string> split_labels(const std::string& cell, const std::string& at) {
  std::vector<std::string> names;
  size_t start = 0;
  while (true) {
    const size_t bar = cell.find('|', start);
    std::string name = cell.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    const auto first = name.find_first_not_of(" \t");
    name = first == std::string::npos ? "" : name.substr(first, name.find_last_not_of(" \t") - first + 1);
    if (name.empty()) throw DataError(at + ": '" + cell + "' has an empty label name between '|'");
    names.push_back(name);
    if (bar == std::string::npos) return names;
    start = bar + 1;
  }
}

TaskType infer_type(const std::vector<CsvRecord>& records, size_t column) {
  bool all_numbers = true;
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& cell = records[r].cells[column];
    if (cell.empty()) continue;
    if (cell.find('|') != std::string::npos) return TaskType::kMultilabel;
    double value = 0.0;
    all_numbers &= parse_number(cell, value) != NumberParse::kNotNumber;
  }
  return all_numbers ? TaskType::kRegression : TaskType::kMulticlass;
}

torch::Tensor read_regression(const std::vector<CsvRecord>& records, const Column& column, const std::string& file,
                              bool declared) {
  auto values = torch::full({static_cast<int64_t>(records.size() - 1), 1}, std::numeric_limits<float>::quiet_NaN());
  auto out = values.accessor<float, 2>();
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& cell = records[r].cells[column.index];
    if (cell.empty()) continue;
    double value = 0.0;
    const auto parsed = parse_number(cell, value);
    if (parsed != NumberParse::kNumber) {
      throw DataError(where(file, records[r].line, column.index, column.name) + ": '" + cell + "' is not " +
                      (parsed == NumberParse::kNonFinite ? "a finite number" : "a number") + " but task '" +
                      column.name + "' is regression (" + (declared ? "declared by --task" : "inferred") +
                      "); leave the cell empty for a missing label" +
                      (declared ? "" : " or declare the type with --task " + column.name + ":multiclass"));
    }
    out[static_cast<int64_t>(r - 1)][0] = static_cast<float>(value);
  }
  return values;
}

// Class names in sorted order and the labels as ids (multiclass) or 0/1 rows (multilabel).
torch::Tensor read_classes(const std::vector<CsvRecord>& records, const Column& column, const std::string& file,
                           TaskSchema& task) {
  const bool multilabel = task.type == TaskType::kMultilabel;
  std::vector<std::vector<std::string>> cells(records.size());
  std::set<std::string> names;
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& cell = records[r].cells[column.index];
    if (cell.empty()) continue;
    cells[r] = multilabel ? split_labels(cell, where(file, records[r].line, column.index, column.name))
                          : std::vector<std::string>{cell};
    names.insert(cells[r].begin(), cells[r].end());
  }
  task.class_names.assign(names.begin(), names.end());
  const auto classes = static_cast<int64_t>(task.class_names.size());
  if (classes == 0) {
    throw DataError(file + ": column " + std::to_string(column.index + 1) + " ('" + column.name +
                    "') has no labels (every cell is empty)");
  }
  if (!multilabel && classes < 2) {
    throw DataError(file + ": column " + std::to_string(column.index + 1) + " ('" + column.name + "') has " +
                    std::to_string(classes) + " class" + (classes == 1 ? " ('" + task.class_names[0] + "')" : "s") +
                    "; a multiclass task needs at least 2");
  }
  auto index_of = [&](const std::string& name) {
    return static_cast<int64_t>(std::lower_bound(task.class_names.begin(), task.class_names.end(), name) -
                                task.class_names.begin());
  };
  const auto rows = static_cast<int64_t>(records.size() - 1);
  if (!multilabel) {
    auto ids = torch::full({rows}, -1, torch::kInt64);
    auto out = ids.accessor<int64_t, 1>();
    for (int64_t r = 0; r < rows; ++r) {
      if (!cells[static_cast<size_t>(r + 1)].empty()) out[r] = index_of(cells[static_cast<size_t>(r + 1)][0]);
    }
    return ids;
  }
  auto bits = torch::full({rows, classes}, std::numeric_limits<float>::quiet_NaN());
  auto out = bits.accessor<float, 2>();
  for (int64_t r = 0; r < rows; ++r) {
    const auto& row = cells[static_cast<size_t>(r + 1)];
    if (row.empty()) continue;
    for (int64_t c = 0; c < classes; ++c) out[r][c] = 0.0f;
    for (const auto& name : row) out[r][index_of(name)] = 1.0f;
  }
  return bits;
}

torch::Tensor read_sample_ids(const std::vector<CsvRecord>& records, const Column& column, const std::string& file) {
  auto ids = torch::empty({static_cast<int64_t>(records.size() - 1)}, torch::kInt64);
  auto out = ids.accessor<int64_t, 1>();
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& cell = records[r].cells[column.index];
    double value = 0.0;
    if (parse_number(cell, value) != NumberParse::kNumber || value != std::floor(value) || std::abs(value) > 9e15) {
      throw DataError(where(file, records[r].line, column.index, column.name) + ": '" + cell +
                      "' is not an integer; sample_id must be an integer id per row");
    }
    out[static_cast<int64_t>(r - 1)] = static_cast<int64_t>(value);
  }
  return ids;
}

}  // namespace

std::pair<std::string, TaskType> parse_task_declaration(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw DataError("--task '" + text + "': expected NAME:TYPE, e.g. --task family:multiclass");
  }
  const std::string type_name = text.substr(colon + 1);
  const auto type = parse_task_type(type_name);
  if (!type) {
    throw DataError("--task '" + text + "': unknown task type '" + type_name +
                    "' (valid: multiclass, multilabel, regression)");
  }
  return {text.substr(0, colon), *type};
}

ImportedLabels read_labels_csv(const std::filesystem::path& path, const std::map<std::string, TaskType>& declared,
                               const std::set<std::string>& other_columns) {
  const std::string file = path.string();
  const auto records = read_csv(path);
  const auto& header = records.front().cells;
  if (records.size() < 2) throw DataError(file + ": has a header line but no data rows");
  std::set<std::string> seen;
  std::vector<Column> task_columns;
  std::optional<Column> sample_id;
  for (size_t c = 0; c < header.size(); ++c) {
    const std::string& name = header[c];
    const std::string at = file + ": line " + std::to_string(records.front().line) + " column " + std::to_string(c + 1);
    if (name.empty()) throw DataError(at + ": empty column name in the header");
    if (name.find('/') != std::string::npos || name == "." || name == "..") {
      throw DataError(at + ": column name '" + name + "' cannot be a task name (no '/', '.' or '..')");
    }
    if (!seen.insert(name).second) throw DataError(at + ": column '" + name + "' appears twice in the header");
    if (other_columns.count(name)) continue;
    if (name == kSampleIdColumn) {
      sample_id = Column{name, c};
    } else {
      task_columns.push_back({name, c});
    }
  }
  for (const auto& [name, type] : declared) {
    if (!seen.count(name) || name == kSampleIdColumn || other_columns.count(name)) {
      std::string list;
      for (const auto& column : task_columns) list += (list.empty() ? "" : ", ") + column.name;
      throw DataError("--task " + name + ":" + to_string(type) + ": " + file + " has no task column '" + name +
                      "' (columns: " + list + ")");
    }
  }
  if (task_columns.empty()) throw DataError(file + ": no task columns (the header has only sample_id)");

  ImportedLabels imported;
  imported.rows = static_cast<int64_t>(records.size() - 1);
  imported.sample_id = sample_id ? read_sample_ids(records, *sample_id, file) : torch::arange(imported.rows, torch::kInt64);
  for (const auto& column : task_columns) {
    const auto found = declared.find(column.name);
    TaskSchema task;
    task.name = column.name;
    task.type = found != declared.end() ? found->second : infer_type(records, column.index);
    const bool is_declared = found != declared.end();
    auto labels = task.type == TaskType::kRegression ? read_regression(records, column, file, is_declared)
                                                     : read_classes(records, column, file, task);
    const auto labelled = labels.dim() == 1 ? labels.ge(0) : torch::isfinite(labels).all(1);
    if (!labelled.any().item<bool>()) {
      throw DataError(file + ": column " + std::to_string(column.index + 1) + " ('" + column.name +
                      "') has no labels (every cell is empty)");
    }
    imported.tasks.push_back(task);
    imported.declared.push_back(is_declared);
    imported.labels.push_back(labels);
  }
  return imported;
}

}  // namespace mmoe::data
