#pragma once
// Per-task losses with missing labels. Every task's loss is always computed over the whole batch
// and masked, so the graph never changes shape with the labels and every parameter always gets
// a gradient (zero when a task has no labels, never NaN).
//
//   loss_t = sum_{labelled rows b} r_t(b) l_t(b) / denominator_t    (0 when denominator_t is 0)
//
// r_t(b) is the row's weight: w[y_b] for a multiclass task with class_weights, else 1.
// denominator_t = sum of r_t over the labelled rows of task t in the *global* batch (summed over
// ranks by the caller through its communicator); in one process it is loss_denominators(). With
// no class weights it is the number of labelled rows. Per TaskHeadSpec (models/task_head_spec.h):
//   multiclass  l = cross-entropy with optional label smoothing; with class weights the row
//               term r l is PyTorch's CrossEntropyLoss(weight=w, reduction='none'), so loss_t
//               equals its reduction='mean' (also with label smoothing)
//   multilabel  l = mean over the C labels of BCE-with-logits, with optional pos_weight [C]
//   regression  l = mean over the K outputs of rho(e), e = (output - target) / target_std
//               (target_std empty: e = output - target); rho = e^2 (MSE) or Huber with delta:
//               e^2 / 2 for |e| < delta, else delta (|e| - delta / 2)
#include <vector>

#include <torch/torch.h>

#include "models/task_head_spec.h"

namespace mmoe::models {

// label (encoding in core/task_type.h) -> bool [B], true where the row is labelled
torch::Tensor labelled_mask(const torch::Tensor& label, TaskType type);

// per-task labels -> int64 [T] on the CPU: labelled rows per task in this batch (for metrics)
torch::Tensor count_labelled_rows(const std::vector<torch::Tensor>& labels,
                                  const std::vector<TaskHeadSpec>& tasks);

// per-task labels -> float64 [T] on the CPU: per task, the sum of the labelled rows' weights in
// this batch (the labelled row count when the task has no class weights)
torch::Tensor loss_denominators(const std::vector<torch::Tensor>& labels,
                                const std::vector<TaskHeadSpec>& tasks);

struct TaskLosses {
  std::vector<torch::Tensor> per_task;  // scalar per task, unweighted
  torch::Tensor total;                  // sum_t loss_weight_t * per_task[t]
};

// outputs[t] [B, C_t]; labels[t] as in core/task_type.h; denominators [T] (any numeric dtype)
TaskLosses masked_task_losses(const std::vector<torch::Tensor>& outputs,
                              const std::vector<torch::Tensor>& labels,
                              const std::vector<TaskHeadSpec>& tasks,
                              const torch::Tensor& denominators);

}  // namespace mmoe::models
