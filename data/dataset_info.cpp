#include "data/dataset_info.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "data/shard_reader.h"

namespace mmoe::data {

LabelSummary summarize_labels(const TaskSchema& task, const torch::Tensor& labels) {
  LabelSummary summary;
  summary.rows = labels.dim() > 0 ? labels.size(0) : 0;
  const int64_t outputs = task.output_dim();
  switch (task.type) {
    case TaskType::kMulticlass: {
      const auto ids = labels.to(torch::kInt64).reshape({-1});
      const auto labelled = ids.ge(0);
      summary.labelled = labelled.sum().item<int64_t>();
      const auto counts = torch::bincount(ids.masked_select(labelled), {}, outputs);
      for (int64_t c = 0; c < outputs; ++c) summary.class_counts.push_back(counts[c].item<int64_t>());
      break;
    }
    case TaskType::kMultilabel: {
      const auto values = labels.to(torch::kFloat32).reshape({summary.rows, outputs});
      const auto labelled = torch::isfinite(values).all(1);
      summary.labelled = labelled.sum().item<int64_t>();
      const auto positives = values.index({labelled}).sum(0).to(torch::kInt64);
      for (int64_t c = 0; c < outputs; ++c) summary.class_counts.push_back(positives[c].item<int64_t>());
      break;
    }
    case TaskType::kRegression: {
      const auto values = labels.to(torch::kFloat64).reshape({summary.rows, outputs});
      const auto labelled = torch::isfinite(values).all(1);
      summary.labelled = labelled.sum().item<int64_t>();
      const auto known = values.index({labelled});  // [L, K]
      for (int64_t k = 0; k < outputs; ++k) {
        if (summary.labelled == 0) {
          summary.mean.push_back(std::nan(""));
          summary.stddev.push_back(std::nan(""));
          continue;
        }
        const auto column = known.select(1, k);
        summary.mean.push_back(column.mean().item<double>());
        summary.stddev.push_back(column.std(/*unbiased=*/false).item<double>());
      }
      break;
    }
  }
  return summary;
}

int64_t DatasetInfoReport::total_bytes() const {
  int64_t total = 0;
  for (const auto& shard : shards) total += shard.bytes;
  return total;
}

DatasetInfoReport dataset_info(const std::filesystem::path& dir) {
  const auto manifest = load_manifest(dir);
  DatasetInfoReport report;
  report.dir = dir;
  report.name = manifest.name;
  report.feature_dim = manifest.feature_dim;
  report.feature_dtype = manifest.feature_dtype;
  const auto splits = manifest.split_names();
  // Every task's labels of every shard, read once: labels[file][t].
  std::map<std::string, std::vector<torch::Tensor>> shard_labels;
  for (const auto& entry : manifest.shards) {
    const auto path = dir / entry.file;
    const auto header = read_shard_header(path);
    std::string split = entry.split;
    if (split.empty()) {  // rows given as ranges: the splits they belong to
      for (const auto& [name, ranges] : manifest.split_ranges) {
        const bool here = std::any_of(ranges.begin(), ranges.end(), [&](const auto& r) { return r.file == entry.file; });
        if (here) split += (split.empty() ? "" : ",") + name;
      }
    }
    report.shards.push_back({entry.file, split, header.rows, static_cast<int64_t>(std::filesystem::file_size(path))});
    auto& labels = shard_labels[entry.file];
    for (const auto& task : manifest.tasks) labels.push_back(read_task_labels(path, task, header.rows));
  }
  // labels[t][s]: label tensors of task t in split s, one per split part.
  std::vector<std::vector<std::vector<torch::Tensor>>> labels(
      manifest.tasks.size(), std::vector<std::vector<torch::Tensor>>(splits.size()));
  for (size_t s = 0; s < splits.size(); ++s) {
    report.split_rows.emplace_back(splits[s], manifest.rows_in_split(splits[s]));
    for (const auto& part : manifest.split_parts(splits[s])) {
      const auto& all = shard_labels.at(part.shard->file);
      for (size_t t = 0; t < manifest.tasks.size(); ++t) labels[t][s].push_back(all[t].narrow(0, part.begin, part.rows()));
    }
  }
  for (size_t t = 0; t < manifest.tasks.size(); ++t) {
    TaskInfo info;
    info.task = manifest.tasks[t];
    for (size_t s = 0; s < splits.size(); ++s) {
      info.splits.push_back({splits[s], summarize_labels(info.task, torch::cat(labels[t][s]))});
    }
    report.tasks.push_back(std::move(info));
  }
  return report;
}

}  // namespace mmoe::data
