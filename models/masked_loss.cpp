#include "models/masked_loss.h"

namespace mmoe::models {
namespace {

// [B] per-row loss, finite for every row (unlabelled rows get placeholder targets).
torch::Tensor per_row_loss(const torch::Tensor& output, const torch::Tensor& label,
                           const torch::Tensor& mask, const TaskHeadSpec& task) {
  namespace F = torch::nn::functional;
  switch (task.type) {
    case TaskType::kMulticlass: {
      const auto targets = label.clamp_min(0);
      return F::cross_entropy(output, targets,
                              F::CrossEntropyFuncOptions()
                                  .reduction(torch::kNone)
                                  .label_smoothing(task.label_smoothing));
    }
    case TaskType::kMultilabel: {
      const auto targets = torch::nan_to_num(label, 0.0);
      return F::binary_cross_entropy_with_logits(
                 output, targets, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone))
          .mean(1);
    }
    case TaskType::kRegression: {
      const auto targets = torch::where(mask.unsqueeze(1), label, output.detach());
      return (output - targets).pow(2).mean(1);
    }
  }
  TORCH_CHECK(false, "unknown task type");
}

}  // namespace

torch::Tensor labelled_mask(const torch::Tensor& label, TaskType type) {
  switch (type) {
    case TaskType::kMulticlass: return label.ge(0);
    case TaskType::kMultilabel:
    case TaskType::kRegression: return torch::isfinite(label).all(1);
  }
  TORCH_CHECK(false, "unknown task type");
}

torch::Tensor count_labelled_rows(const std::vector<torch::Tensor>& labels,
                                  const std::vector<TaskHeadSpec>& tasks) {
  TORCH_CHECK(labels.size() == tasks.size(), "count_labelled_rows: ", labels.size(),
              " label tensors for ", tasks.size(), " tasks");
  auto counts = torch::empty({static_cast<int64_t>(tasks.size())}, torch::kInt64);
  for (size_t t = 0; t < tasks.size(); ++t) {
    counts[static_cast<int64_t>(t)] = labelled_mask(labels[t], tasks[t].type).sum();
  }
  return counts;
}

TaskLosses masked_task_losses(const std::vector<torch::Tensor>& outputs,
                              const std::vector<torch::Tensor>& labels,
                              const std::vector<TaskHeadSpec>& tasks,
                              const torch::Tensor& denominators) {
  TORCH_CHECK(outputs.size() == tasks.size() && labels.size() == tasks.size(),
              "masked_task_losses: ", outputs.size(), " outputs and ", labels.size(),
              " labels for ", tasks.size(), " tasks");
  TORCH_CHECK(denominators.numel() == static_cast<int64_t>(tasks.size()),
              "masked_task_losses: need one denominator per task");
  const auto denominators_cpu = denominators.to(torch::kCPU, torch::kDouble);
  TaskLosses losses;
  for (size_t t = 0; t < tasks.size(); ++t) {
    const auto& output = outputs[t];
    const auto& label = labels[t];
    TORCH_CHECK(output.size(0) == label.size(0), "task '", tasks[t].name, "': ", output.size(0),
                " outputs but ", label.size(0), " labels");
    const auto mask = labelled_mask(label, tasks[t].type);  // [B]
    const auto rows = per_row_loss(output, label, mask, tasks[t]);
    const double denominator = std::max(denominators_cpu[static_cast<int64_t>(t)].item<double>(), 1.0);
    const auto loss = torch::where(mask, rows, torch::zeros_like(rows)).sum() / denominator;
    losses.per_task.push_back(loss);
    const auto weighted = loss * tasks[t].loss_weight;
    losses.total = losses.total.defined() ? losses.total + weighted : weighted;
  }
  return losses;
}

}  // namespace mmoe::models
