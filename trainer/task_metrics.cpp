#include "trainer/task_metrics.h"

#include <cmath>

#include "models/masked_loss.h"

namespace mmoe::trainer {

TaskMetricAccumulator::TaskMetricAccumulator(models::TaskHeadSpec spec, double multilabel_threshold)
    : spec_(std::move(spec)),
      threshold_(multilabel_threshold),
      confusion_(spec_.type == TaskType::kMulticlass ? spec_.output_dim : 1),
      label_counts_(spec_.type == TaskType::kMultilabel ? static_cast<size_t>(spec_.output_dim) : 0) {}

void TaskMetricAccumulator::add_predictions(const torch::Tensor& output, const torch::Tensor& label) {
  torch::NoGradGuard no_grad;
  const auto out = output.detach().to(torch::kCPU);
  const auto lab = label.to(torch::kCPU);
  const auto mask = models::labelled_mask(lab, spec_.type);
  labelled_rows_ += mask.sum().item<int64_t>();
  switch (spec_.type) {
    case TaskType::kMulticlass: {
      const int64_t classes = spec_.output_dim;
      const auto truth = lab.masked_select(mask);
      const auto predicted = out.argmax(1).masked_select(mask);
      const auto counts = torch::bincount(truth * classes + predicted, {}, classes * classes).contiguous();
      const auto* data = counts.data_ptr<int64_t>();
      confusion_.add_counts(std::vector<int64_t>(data, data + counts.numel()));
      break;
    }
    case TaskType::kMultilabel: {
      const auto rows = mask.nonzero().squeeze(1);
      const auto truth = lab.index_select(0, rows).gt(0.5);
      const auto predicted = torch::sigmoid(out.index_select(0, rows)).ge(threshold_);
      const auto tp = (truth & predicted).sum(0);
      const auto fp = (~truth & predicted).sum(0);
      const auto fn = (truth & ~predicted).sum(0);
      for (int64_t c = 0; c < spec_.output_dim; ++c) {
        auto& counts = label_counts_[static_cast<size_t>(c)];
        counts.true_positive += tp[c].item<int64_t>();
        counts.false_positive += fp[c].item<int64_t>();
        counts.false_negative += fn[c].item<int64_t>();
      }
      break;
    }
    case TaskType::kRegression: {
      const auto rows = mask.nonzero().squeeze(1);
      const auto error = (out.index_select(0, rows).to(torch::kDouble) - lab.index_select(0, rows).to(torch::kDouble));
      abs_error_sum_ += error.abs().sum().item<double>();
      squared_error_sum_ += error.pow(2).sum().item<double>();
      regression_values_ += error.numel();
      break;
    }
  }
}

void TaskMetricAccumulator::add_loss(double loss_sum, double weight_sum) {
  loss_sum_ += loss_sum;
  loss_weight_sum_ += weight_sum;
}

TaskScores TaskMetricAccumulator::scores() const {
  TaskScores scores;
  scores.labelled_rows = labelled_rows_;
  if (loss_weight_sum_ > 0.0) scores.loss = loss_sum_ / loss_weight_sum_;
  switch (spec_.type) {
    case TaskType::kMulticlass:
      if (confusion_.total() > 0) {
        scores.accuracy = confusion_.accuracy();
        scores.macro_f1 = confusion_.macro_f1();
        scores.weighted_f1 = confusion_.weighted_f1();
        scores.micro_f1 = confusion_.micro_f1();
      }
      break;
    case TaskType::kMultilabel:
      if (labelled_rows_ > 0) {
        const auto multilabel = multilabel_scores(label_counts_);
        scores.macro_f1 = multilabel.macro_f1;
        scores.weighted_f1 = multilabel.weighted_f1;
        scores.micro_f1 = multilabel.micro_f1;
      }
      break;
    case TaskType::kRegression:
      if (regression_values_ > 0) {
        scores.mae = abs_error_sum_ / static_cast<double>(regression_values_);
        scores.rmse = std::sqrt(squared_error_sum_ / static_cast<double>(regression_values_));
      }
      break;
  }
  return scores;
}

}  // namespace mmoe::trainer
