#pragma once
// Accumulates one task's predictions over a split and turns them into exact metrics:
//   multiclass  accuracy, macro / weighted / micro F1 (confusion matrix of argmax)
//   multilabel  micro / macro / weighted F1 at `threshold` on sigmoid(logit)
//   regression  MAE, RMSE over every labelled output
// plus the mean loss over labelled rows. Only labelled rows count.
#include <cstdint>
#include <optional>
#include <vector>

#include <torch/torch.h>

#include "models/task_head_spec.h"
#include "trainer/confusion_matrix.h"

namespace mmoe::trainer {

struct TaskScores {
  int64_t labelled_rows = 0;
  std::optional<double> loss;
  std::optional<double> accuracy;
  std::optional<double> macro_f1;
  std::optional<double> weighted_f1;
  std::optional<double> micro_f1;
  std::optional<double> mae;
  std::optional<double> rmse;
};

class TaskMetricAccumulator {
 public:
  explicit TaskMetricAccumulator(models::TaskHeadSpec spec, double multilabel_threshold = 0.5);

  // output [B, C]; label in the task's encoding (core/task_type.h)
  void add_predictions(const torch::Tensor& output, const torch::Tensor& label);
  // loss_sum: the sum of the rows' (weighted) losses; weight_sum: the sum of their weights (the
  // labelled row count without class weights), so scores().loss is the exact weighted mean.
  void add_loss(double loss_sum, double weight_sum);

  TaskScores scores() const;
  const models::TaskHeadSpec& spec() const { return spec_; }

 private:
  models::TaskHeadSpec spec_;
  double threshold_;
  ConfusionMatrix confusion_;
  std::vector<BinaryCounts> label_counts_;
  double abs_error_sum_ = 0.0;
  double squared_error_sum_ = 0.0;
  int64_t regression_values_ = 0;
  int64_t labelled_rows_ = 0;
  double loss_sum_ = 0.0;
  double loss_weight_sum_ = 0.0;
};

}  // namespace mmoe::trainer
