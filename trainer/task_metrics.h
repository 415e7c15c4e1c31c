#pragma once
// Accumulates one task's predictions over a split and turns them into exact metrics
// (docs/metrics.md defines each):
//   multiclass  accuracy, macro / weighted / micro F1 (confusion matrix of argmax), per-class
//               precision / recall / F1 / support; ROC AUC of softmax(class 1) when C == 2
//   multilabel  micro / macro / weighted / samples F1 at `threshold` on sigmoid(logit),
//               per-label precision / recall / F1 / support, macro ROC AUC over the labels that
//               have both positives and negatives
//   regression  MAE, RMSE and R^2 over every labelled output value (in the targets' units: a
//               model with standardised targets still outputs original units)
// plus the mean loss over labelled rows. Only labelled rows count.
//
// Merging (batches, ranks): every metric but AUC is a function of sums. state() is those sums
// as one flat vector whose length depends only on the task; adding the states of several
// accumulators element-wise (an all-reduce with op sum) and load_state() of the sum gives the
// metrics of one accumulator that saw every prediction (counts exactly, being integers below
// 2^53; loss and error sums up to rounding). AUC's state is the scores themselves
// (auc_samples(), mergeable by concatenation); merge() does both.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "models/task_head_spec.h"
#include "trainer/binary_auc.h"
#include "trainer/confusion_matrix.h"

namespace mmoe::trainer {

// One class of a multiclass task or one label of a multilabel task. Field for field what
// tracking::ClassMetricsRecord stores.
struct ClassScores {
  int64_t class_index = 0;
  std::string class_name;  // from the dataset; empty when it names no classes
  double precision = 0.0;  // 0 when nothing was predicted as the class
  double recall = 0.0;     // 0 when the class has no true rows
  double f1 = 0.0;         // 0 when tp + fp + fn == 0
  int64_t support = 0;     // true rows of the class (multiclass) / positives (multilabel)
};

// Absent values do not apply to the task's type or are undefined on this split.
struct TaskScores {
  int64_t labelled_rows = 0;
  std::optional<double> loss;
  std::optional<double> accuracy;     // multiclass
  std::optional<double> macro_f1;     // multiclass, multilabel
  std::optional<double> weighted_f1;  // multiclass, multilabel
  std::optional<double> micro_f1;     // multiclass, multilabel
  std::optional<double> samples_f1;   // multilabel
  std::optional<double> auc;          // multiclass with 2 classes, multilabel; absent with one class only
  std::optional<double> mae;          // regression
  std::optional<double> rmse;         // regression
  std::optional<double> r2;           // regression; absent when the labels have no variance
  std::vector<ClassScores> classes;   // classification: one per class / label; empty before any row
  std::vector<int64_t> confusion;     // multiclass: [C * C] counts, row = true label; empty before any row
};

struct TaskMetricOptions {
  double threshold = 0.5;                // multilabel: a label is predicted when sigmoid(logit) >= it
  std::vector<std::string> class_names;  // classification: C names for ClassScores (or empty)
};

class TaskMetricAccumulator {
 public:
  explicit TaskMetricAccumulator(models::TaskHeadSpec spec, TaskMetricOptions options = {});

  // output [B, C]; label in the task's encoding (core/task_type.h)
  void add_predictions(const torch::Tensor& output, const torch::Tensor& label);
  // loss_sum: the sum of the rows' (weighted) losses; weight_sum: the sum of their weights (the
  // labelled row count without class weights), so scores().loss is the exact weighted mean.
  void add_loss(double loss_sum, double weight_sum);

  // The summable state, state_size() values (layout in task_metrics.cpp).
  std::vector<double> state() const;
  int64_t state_size() const;
  // Replaces the summable state (e.g. with the all-reduced sum of every rank's); keeps the AUC
  // scores. Throws std::invalid_argument when the size is not state_size().
  void load_state(const std::vector<double>& state);
  // AUC state: one ScoreSamples per binary problem (1 for a two-class multiclass task, C for a
  // multilabel task, none otherwise).
  const std::vector<ScoreSamples>& auc_samples() const { return auc_; }
  // Replaces the AUC state (e.g. with every rank's scores); one ScoreSamples per binary problem
  // as auc_samples() has (std::invalid_argument otherwise).
  void replace_auc_samples(std::vector<ScoreSamples> samples);
  // Adds `other`'s sums and concatenates its AUC scores; `other` must be for the same task.
  void merge(const TaskMetricAccumulator& other);

  TaskScores scores() const;
  const models::TaskHeadSpec& spec() const { return spec_; }

 private:
  void add_multiclass(const torch::Tensor& out, const torch::Tensor& lab, const torch::Tensor& mask);
  void add_multilabel(const torch::Tensor& out, const torch::Tensor& lab, const torch::Tensor& mask);
  void add_regression(const torch::Tensor& out, const torch::Tensor& lab, const torch::Tensor& mask);
  std::string class_name(int64_t c) const;

  models::TaskHeadSpec spec_;
  TaskMetricOptions options_;
  int64_t labelled_rows_ = 0;
  double loss_sum_ = 0.0;
  double loss_weight_sum_ = 0.0;
  ConfusionMatrix confusion_;                // multiclass
  std::vector<BinaryCounts> label_counts_;   // multilabel, [C]
  double samples_f1_sum_ = 0.0;              // multilabel: sum over labelled rows of the row's F1
  int64_t regression_values_ = 0;            // regression: labelled output values
  double abs_error_sum_ = 0.0;
  double squared_error_sum_ = 0.0;
  double target_sum_ = 0.0;                  // sum of y
  double target_square_sum_ = 0.0;           // sum of y^2
  std::vector<ScoreSamples> auc_;
};

}  // namespace mmoe::trainer
