#pragma once
// What a model needs to know about one task to build its tower, head and loss.
#include <cstdint>
#include <string>
#include <vector>

#include "core/task_type.h"

namespace mmoe::models {

enum class RegressionLoss { kMse, kHuber };

struct TaskHeadSpec {
  std::string name;
  TaskType type = TaskType::kMulticlass;
  int64_t output_dim = 2;        // classes (multiclass, multilabel) or outputs (regression)
  double loss_weight = 1.0;      // fixed weight in the total loss
  double label_smoothing = 0.0;  // multiclass only, [0, 1)
  // multiclass: per-class weights [C] (empty: none). The loss of a row is scaled by its class's
  // weight and the task's denominator is the sum of the labelled rows' weights, as PyTorch's
  // CrossEntropyLoss(weight=...) with reduction='mean'.
  std::vector<double> class_weights;
  std::vector<double> pos_weight;  // multilabel: BCE pos_weight per label [C] (empty: none)
  RegressionLoss regression_loss = RegressionLoss::kMse;
  double huber_delta = 1.0;        // > 0, for kHuber
  // regression: targets standardised with these [K] statistics (empty: none). The model outputs
  // predictions in the original units; the loss is computed on standardised errors.
  std::vector<double> target_mean;
  std::vector<double> target_std;
};

}  // namespace mmoe::models
