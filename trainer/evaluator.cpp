#include "trainer/evaluator.h"

#include "models/masked_loss.h"

namespace mmoe::trainer {

SplitEvaluation evaluate_batches(models::MultiTaskModelImpl& model,
                                 const std::function<std::optional<data::Batch>()>& next_batch,
                                 const torch::Device& device, const std::vector<TaskMetricOptions>& options) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const auto& heads = model.tasks();
  std::vector<TaskMetricAccumulator> accumulators;
  TORCH_CHECK(options.empty() || options.size() == heads.size(), "evaluate_batches: ", options.size(),
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
  SplitEvaluation evaluation;
  for (size_t t = 0; t < heads.size(); ++t) {
    evaluation.tasks.push_back(accumulators[t].scores());
    evaluation.weighted_loss += heads[t].loss_weight * evaluation.tasks.back().loss.value_or(0.0);
  }
  return evaluation;
}

SplitEvaluation evaluate_split(models::MultiTaskModelImpl& model, const data::SplitData& split, int64_t batch_size,
                               const torch::Device& device, const std::vector<TaskMetricOptions>& options) {
  int64_t start = 0;
  return evaluate_batches(
      model,
      [&]() -> std::optional<data::Batch> {
        if (start >= split.rows()) return std::nullopt;
        const int64_t end = std::min(split.rows(), start + batch_size);
        data::Batch batch;
        batch.features = split.features.slice(0, start, end);
        for (const auto& label : split.labels) batch.labels.push_back(label.slice(0, start, end));
        start = end;
        return batch;
      },
      device, options);
}

}  // namespace mmoe::trainer
