#pragma once
// What the model takes from the training split before training starts: balanced class weights
// and pos_weight, regression target statistics, and feature statistics for standardisation.
// Computed in float64 over every row of the split held by this process.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "data/split_data.h"
#include "experiments/config.h"
#include "models/task_head_spec.h"

namespace mmoe::trainer {

// Balanced multiclass weights from labels int64 [N] (-1 = missing) over C classes:
// w_c = n / (C * n_c), n the labelled rows, n_c those of class c (scikit-learn's 'balanced').
// A class with no training rows keeps weight 1 (it adds no training loss either way).
// TrainError naming `path` when no row is labelled.
std::vector<double> balanced_class_weights(const torch::Tensor& labels, int64_t num_classes, const std::string& path);

// Balanced multilabel pos_weight from labels float [N, C] (a NaN row = missing):
// pos_weight_c = negatives_c / positives_c over the labelled rows; 1 for a label with no positive.
std::vector<double> balanced_pos_weight(const torch::Tensor& labels, const std::string& path);

struct TargetStatistics {
  std::vector<double> mean;  // [K]
  std::vector<double> std;   // [K], population standard deviation; 1 where it is below 1e-12
};

// Regression targets float [N, K] (NaN = missing): per-output mean and standard deviation of the
// labelled values. TrainError naming `path` and the output when an output has no labelled value.
TargetStatistics target_statistics(const torch::Tensor& targets, const std::string& path);

// Fills what heads[t] (built by head_specs, in train.labels order) takes from the training split:
// balanced class_weights / pos_weight and, with standardize_target, target_mean / target_std.
void apply_training_statistics(const experiments::Config& config, const data::SplitData& train,
                               std::vector<models::TaskHeadSpec>& heads);

}  // namespace mmoe::trainer
