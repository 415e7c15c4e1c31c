#include "trainer/training_statistics.h"

#include <cmath>
#include <string>

#include "trainer/train_error.h"

namespace mmoe::trainer {

std::vector<double> balanced_class_weights(const torch::Tensor& labels, int64_t num_classes, const std::string& path) {
  const auto flat = labels.to(torch::kCPU, torch::kLong).reshape({-1});
  const auto labelled = flat.masked_select(flat.ge(0));
  const int64_t n = labelled.numel();
  if (n == 0) {
    throw TrainError(path + ": 'balanced' needs labelled rows, but the training split has none for this task");
  }
  const auto counts = torch::bincount(labelled, {}, num_classes).to(torch::kDouble);
  std::vector<double> weights(static_cast<size_t>(num_classes), 1.0);
  const auto* c = counts.data_ptr<double>();
  for (int64_t k = 0; k < num_classes; ++k) {
    if (c[k] > 0.0) weights[static_cast<size_t>(k)] = static_cast<double>(n) / (static_cast<double>(num_classes) * c[k]);
  }
  return weights;
}

std::vector<double> balanced_pos_weight(const torch::Tensor& labels, const std::string& path) {
  const auto y = labels.to(torch::kCPU, torch::kDouble);
  const auto row_labelled = y.isnan().any(1).logical_not();
  const auto rows = y.index({row_labelled});  // [n, C]
  if (rows.size(0) == 0) {
    throw TrainError(path + ": 'balanced' needs labelled rows, but the training split has none for this task");
  }
  const auto positives = rows.sum(0).contiguous();
  const double n = static_cast<double>(rows.size(0));
  std::vector<double> weights(static_cast<size_t>(rows.size(1)), 1.0);
  const auto* p = positives.data_ptr<double>();
  for (int64_t k = 0; k < rows.size(1); ++k) {
    if (p[k] > 0.0) weights[static_cast<size_t>(k)] = (n - p[k]) / p[k];
  }
  return weights;
}

TargetStatistics target_statistics(const torch::Tensor& targets, const std::string& path) {
  const auto y = targets.to(torch::kCPU, torch::kDouble).reshape({targets.size(0), -1});
  TargetStatistics stats;
  for (int64_t k = 0; k < y.size(1); ++k) {
    const auto column = y.select(1, k);
    const auto values = column.masked_select(column.isnan().logical_not());
    if (values.numel() == 0) {
      throw TrainError(path + ": output " + std::to_string(k) +
                       " has no labelled value in the training split, so it cannot be standardised");
    }
    const double mean = values.mean().item<double>();
    const double std = std::sqrt((values - mean).square().mean().item<double>());
    stats.mean.push_back(mean);
    stats.std.push_back(std < 1e-12 ? 1.0 : std);
  }
  return stats;
}

void apply_training_statistics(const experiments::Config& config, const data::SplitData& train,
                               std::vector<models::TaskHeadSpec>& heads) {
  using Mode = experiments::LabelWeights::Mode;
  TORCH_CHECK(train.labels.size() == heads.size(), "apply_training_statistics: ", train.labels.size(),
              " label tensors for ", heads.size(), " heads");
  for (size_t t = 0; t < heads.size(); ++t) {
    auto& head = heads[t];
    const auto found = config.tasks.find(head.name);
    if (found == config.tasks.end()) continue;
    const auto& task = found->second;
    const std::string path = "tasks." + head.name;
    if (task.class_weights.mode == Mode::kBalanced) {
      head.class_weights = balanced_class_weights(train.labels[t], head.output_dim, path + ".class_weights");
    }
    if (task.pos_weight.mode == Mode::kBalanced) {
      head.pos_weight = balanced_pos_weight(train.labels[t], path + ".pos_weight");
    }
    if (task.standardize_target) {
      auto stats = target_statistics(train.labels[t], path + ".standardize_target");
      head.target_mean = std::move(stats.mean);
      head.target_std = std::move(stats.std);
    }
  }
}

}  // namespace mmoe::trainer
