#include "trainer/predict.h"

#include <cstdio>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "data/shard_reader.h"
#include "trainer/train_error.h"

namespace mmoe::trainer {
namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string number(double value) {
  std::ostringstream out;
  out << std::setprecision(9) << value;
  return out.str();
}

std::string class_label(const data::TaskSchema& task, int64_t id) {
  const auto& names = task.class_names;
  return id < static_cast<int64_t>(names.size()) && !names[static_cast<size_t>(id)].empty()
             ? names[static_cast<size_t>(id)]
             : std::to_string(id);
}

std::vector<std::string> csv_header(const std::vector<data::TaskSchema>& tasks) {
  std::vector<std::string> columns = {"sample_id"};
  for (const auto& task : tasks) {
    if (task.type == TaskType::kRegression) {
      if (task.num_outputs == 1) columns.push_back(task.name);
      for (int64_t k = 0; task.num_outputs > 1 && k < task.num_outputs; ++k) {
        columns.push_back(task.name + ":" + std::to_string(k));
      }
      continue;
    }
    columns.push_back(task.name);
    for (int64_t c = 0; c < task.output_dim(); ++c) columns.push_back(task.name + ":p:" + class_label(task, c));
  }
  return columns;
}

// Appends one task's fields for row `r` of a batch's output.
void task_fields(const data::TaskSchema& task, const torch::Tensor& values, int64_t r, double threshold,
                 std::vector<std::string>& fields) {
  const auto* row = values.data_ptr<float>() + r * values.size(1);
  const int64_t n = values.size(1);
  if (task.type == TaskType::kRegression) {
    for (int64_t k = 0; k < n; ++k) fields.push_back(number(row[k]));
    return;
  }
  if (task.type == TaskType::kMulticlass) {
    int64_t best = 0;
    for (int64_t c = 1; c < n; ++c) best = row[c] > row[best] ? c : best;
    fields.push_back(class_label(task, best));
  } else {
    std::string labels;
    for (int64_t c = 0; c < n; ++c) {
      if (row[c] >= threshold) labels += (labels.empty() ? "" : "|") + class_label(task, c);
    }
    fields.push_back(labels);
  }
  for (int64_t c = 0; c < n; ++c) fields.push_back(number(row[c]));
}

}  // namespace

int64_t write_predictions(CheckpointModel& loaded, const PredictOptions& options, const std::filesystem::path& out) {
  const auto manifest = data::load_manifest(options.data_dir);
  const auto tasks = tasks_for_model(manifest, options.data_dir, loaded.spec, options.split);
  const auto partial = out.string() + ".partial";
  std::ofstream file(partial, std::ios::binary | std::ios::trunc);
  if (!file) throw mmoe::Error("cannot write predictions to '" + out.string() + "'; check that its directory exists");
  const auto columns = csv_header(tasks);
  for (size_t i = 0; i < columns.size(); ++i) file << (i ? "," : "") << csv_field(columns[i]);
  file << "\n";

  torch::NoGradGuard no_grad;
  loaded.model->eval();
  const int64_t batch_size = loaded.config.train.eval_batch_size;
  int64_t rows = 0;
  for (const auto& shard : manifest.shards) {
    if (shard.split != options.split) continue;
    const auto tensors = data::read_shard(options.data_dir / shard.file, tasks, manifest.feature_dim);
    const int64_t n = tensors.features.size(0);
    const auto ids = tensors.sample_id.accessor<int64_t, 1>();
    for (int64_t start = 0; start < n; start += batch_size) {
      const int64_t end = std::min(n, start + batch_size);
      const auto output = loaded.model->forward(tensors.features.slice(0, start, end).to(options.device));
      std::vector<torch::Tensor> values;  // float32 [B, C_t] on the CPU: probabilities or regression values
      for (size_t t = 0; t < tasks.size(); ++t) {
        auto v = output.task_outputs[t].to(torch::kCPU, torch::kFloat32);
        if (tasks[t].type == TaskType::kMulticlass) v = torch::softmax(v, 1);
        if (tasks[t].type == TaskType::kMultilabel) v = torch::sigmoid(v);
        values.push_back(v.contiguous());
      }
      for (int64_t r = 0; r < end - start; ++r) {
        std::vector<std::string> fields = {std::to_string(ids[start + r])};
        for (size_t t = 0; t < tasks.size(); ++t) {
          task_fields(tasks[t], values[t], r, options.multilabel_threshold, fields);
        }
        for (size_t i = 0; i < fields.size(); ++i) file << (i ? "," : "") << csv_field(fields[i]);
        file << "\n";
      }
      rows += end - start;
    }
  }
  file.close();
  if (!file || std::rename(partial.c_str(), out.c_str()) != 0) {
    std::remove(partial.c_str());
    throw mmoe::Error("cannot write predictions to '" + out.string() + "'");
  }
  return rows;
}

}  // namespace mmoe::trainer
