#include "models/masked_loss.h"

#include <cmath>

namespace mmoe::models {
namespace {

// values [N] as a tensor with the dtype and device of `like`.
torch::Tensor vector_like(const std::vector<double>& values, const torch::Tensor& like) {
  return torch::tensor(values, torch::kDouble).to(like.device(), like.scalar_type());
}

// A per-output vector of the head must have one entry per output and satisfy `valid`.
template <typename Valid>
void check_head_vector(const TaskHeadSpec& task, const std::vector<double>& values, const char* field,
                       int64_t outputs, Valid valid, const char* requirement) {
  if (values.empty()) return;
  TORCH_CHECK(static_cast<int64_t>(values.size()) == outputs, "task '", task.name, "': ", field, " has ",
              values.size(), " entries for ", outputs, " outputs");
  for (double v : values) {
    TORCH_CHECK(std::isfinite(v) && valid(v), "task '", task.name, "': ", field, " must be ", requirement,
                ", got ", v);
  }
}

void check_head(const TaskHeadSpec& task, int64_t outputs) {
  check_head_vector(task, task.class_weights, "class_weights", outputs, [](double v) { return v >= 0.0; }, ">= 0");
  check_head_vector(task, task.pos_weight, "pos_weight", outputs, [](double v) { return v >= 0.0; }, ">= 0");
  check_head_vector(task, task.target_std, "target_std", outputs, [](double v) { return v > 0.0; }, "> 0");
  TORCH_CHECK(task.huber_delta > 0.0, "task '", task.name, "': huber_delta must be > 0, got ", task.huber_delta);
}

// [B, K] regression loss per value on (optionally standardised) errors.
torch::Tensor regression_loss(const torch::Tensor& output, const torch::Tensor& targets, const TaskHeadSpec& task) {
  auto error = output - targets;
  if (!task.target_std.empty()) error = error / vector_like(task.target_std, output);
  switch (task.regression_loss) {
    case RegressionLoss::kMse: return error.pow(2);
    case RegressionLoss::kHuber: {
      const double delta = task.huber_delta;
      const auto size = error.abs();
      return torch::where(size < delta, 0.5 * error.pow(2), delta * (size - 0.5 * delta));
    }
  }
  TORCH_CHECK(false, "unknown regression loss");
}

// [B] per-row loss (already scaled by the row weight), finite for every row (unlabelled rows get
// placeholder targets).
torch::Tensor per_row_loss(const torch::Tensor& output, const torch::Tensor& label,
                           const torch::Tensor& mask, const TaskHeadSpec& task) {
  namespace F = torch::nn::functional;
  switch (task.type) {
    case TaskType::kMulticlass: {
      const auto targets = label.clamp_min(0);
      auto options = F::CrossEntropyFuncOptions().reduction(torch::kNone).label_smoothing(task.label_smoothing);
      if (!task.class_weights.empty()) options.weight(vector_like(task.class_weights, output));
      return F::cross_entropy(output, targets, options);
    }
    case TaskType::kMultilabel: {
      const auto targets = torch::nan_to_num(label, 0.0);
      auto options = F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone);
      if (!task.pos_weight.empty()) options.pos_weight(vector_like(task.pos_weight, output));
      return F::binary_cross_entropy_with_logits(output, targets, options).mean(1);
    }
    case TaskType::kRegression: {
      const auto targets = torch::where(mask.unsqueeze(1), label, output.detach());
      return regression_loss(output, targets, task).mean(1);
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
    counts[static_cast<int64_t>(t)] = labelled_mask(labels[t], tasks[t].type).sum().cpu();
  }
  return counts;
}

torch::Tensor loss_denominators(const std::vector<torch::Tensor>& labels,
                                const std::vector<TaskHeadSpec>& tasks) {
  TORCH_CHECK(labels.size() == tasks.size(), "loss_denominators: ", labels.size(),
              " label tensors for ", tasks.size(), " tasks");
  auto denominators = torch::empty({static_cast<int64_t>(tasks.size())}, torch::kDouble);
  for (size_t t = 0; t < tasks.size(); ++t) {
    const auto& task = tasks[t];
    const auto mask = labelled_mask(labels[t], task.type);
    torch::Tensor sum;
    if (task.type == TaskType::kMulticlass && !task.class_weights.empty()) {
      check_head(task, task.output_dim);
      const auto& label = labels[t];  // -1 (unlabelled) picks w[0] and is masked below
      const auto weights = torch::tensor(task.class_weights, torch::kDouble).to(label.device())
                               .index_select(0, label.clamp_min(0).flatten());  // [B]
      sum = torch::where(mask, weights, torch::zeros_like(weights)).sum();
    } else {
      sum = mask.sum();
    }
    denominators[static_cast<int64_t>(t)] = sum.to(torch::kCPU, torch::kDouble);
  }
  return denominators;
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
    check_head(tasks[t], output.size(1));
    const auto mask = labelled_mask(label, tasks[t].type);  // [B]
    const auto rows = per_row_loss(output, label, mask, tasks[t]);
    // Not max(d, 1): class weights may sum to less than one.
    const double sum_of_weights = denominators_cpu[static_cast<int64_t>(t)].item<double>();
    const double denominator = sum_of_weights > 0.0 ? sum_of_weights : 1.0;
    const auto loss = torch::where(mask, rows, torch::zeros_like(rows)).sum() / denominator;
    losses.per_task.push_back(loss);
    const auto weighted = loss * tasks[t].loss_weight;
    losses.total = losses.total.defined() ? losses.total + weighted : weighted;
  }
  return losses;
}

}  // namespace mmoe::models
