#include "trainer/evaluator.h"

#include <memory>

#include "models/masked_loss.h"

namespace mmoe::trainer {

std::vector<TaskMetricAccumulator> accumulate_batches(models::MultiTaskModelImpl& model, const BatchSource& next_batch,
                                                      const torch::Device& device,
                                                      const std::vector<TaskMetricOptions>& options) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const auto& heads = model.tasks();
  std::vector<TaskMetricAccumulator> accumulators;
  TORCH_CHECK(options.empty() || options.size() == heads.size(), "accumulate_batches: ", options.size(),
              " metric options for ", heads.size(), " tasks");
  for (size_t t = 0; t < heads.size(); ++t) {
    accumulators.emplace_back(heads[t], options.empty() ? TaskMetricOptions{} : options[t]);
  }
  while (auto batch = next_batch()) {
    const auto x = batch->features.to(device);
    std::vector<torch::Tensor> labels;
    for (const auto& label : batch->labels) labels.push_back(label.to(device));
    const auto out = model.forward(x);
    const auto denominators = models::loss_denominators(labels, heads);
    const auto losses = models::masked_task_losses(out.task_outputs, labels, heads, denominators);
    for (size_t t = 0; t < heads.size(); ++t) {
      const double weight_sum = denominators[static_cast<int64_t>(t)].item<double>();
      accumulators[t].add_loss(losses.per_task[t].item<double>() * weight_sum, weight_sum);
      accumulators[t].add_predictions(out.task_outputs[t], labels[t]);
    }
  }
  if (was_training) model.train();
  return accumulators;
}

SplitEvaluation summarize(const std::vector<TaskMetricAccumulator>& accumulators) {
  SplitEvaluation evaluation;
  for (const auto& accumulator : accumulators) {
    evaluation.tasks.push_back(accumulator.scores());
    evaluation.weighted_loss += accumulator.spec().loss_weight * evaluation.tasks.back().loss.value_or(0.0);
  }
  return evaluation;
}

BatchSource split_batches(const data::SplitData& split, int64_t batch_size, int64_t begin, int64_t end) {
  TORCH_CHECK(0 <= begin && begin <= end && end <= split.rows(), "split_batches: rows [", begin, ", ", end,
              ") outside a split of ", split.rows());
  auto start = std::make_shared<int64_t>(begin);
  return [&split, batch_size, end, start]() -> std::optional<data::Batch> {
    if (*start >= end) return std::nullopt;
    const int64_t stop = std::min(end, *start + batch_size);
    data::Batch batch;
    batch.features = split.features.slice(0, *start, stop);
    for (const auto& label : split.labels) batch.labels.push_back(label.slice(0, *start, stop));
    *start = stop;
    return batch;
  };
}

SplitEvaluation evaluate_batches(models::MultiTaskModelImpl& model, const BatchSource& next_batch,
                                 const torch::Device& device, const std::vector<TaskMetricOptions>& options) {
  return summarize(accumulate_batches(model, next_batch, device, options));
}

SplitEvaluation evaluate_split(models::MultiTaskModelImpl& model, const data::SplitData& split, int64_t batch_size,
                               const torch::Device& device, const std::vector<TaskMetricOptions>& options) {
  return evaluate_batches(model, split_batches(split, batch_size, 0, split.rows()), device, options);
}

}  // namespace mmoe::trainer
