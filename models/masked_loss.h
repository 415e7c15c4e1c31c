#pragma once
// Per-task losses with missing labels. Every task's loss is always computed over the whole batch
// and masked, so the graph never changes shape with the labels and every parameter always gets
// a gradient (zero when a task has no labels, never NaN).
//
//   loss_t = sum_{labelled rows b} l_t(b) / max(denominator_t, 1)
//
// denominator_t is the number of labelled rows of task t in the *global* batch (summed over
// ranks by the caller through its communicator); in one process it is count_labelled_rows().
//   multiclass  l = cross-entropy with optional label smoothing
//   multilabel  l = mean over the C labels of BCE-with-logits
//   regression  l = mean over the K outputs of the squared error
#include <vector>

#include <torch/torch.h>

#include "models/task_head_spec.h"

namespace mmoe::models {

// label (encoding in core/task_type.h) -> bool [B], true where the row is labelled
torch::Tensor labelled_mask(const torch::Tensor& label, TaskType type);

// per-task labels -> int64 [T] labelled rows per task in this batch
torch::Tensor count_labelled_rows(const std::vector<torch::Tensor>& labels,
                                  const std::vector<TaskHeadSpec>& tasks);

struct TaskLosses {
  std::vector<torch::Tensor> per_task;  // scalar per task, unweighted
  torch::Tensor total;                  // sum_t loss_weight_t * per_task[t]
};

// outputs[t] [B, C_t]; labels[t] as in core/task_type.h; denominators int64/float [T]
TaskLosses masked_task_losses(const std::vector<torch::Tensor>& outputs,
                              const std::vector<torch::Tensor>& labels,
                              const std::vector<TaskHeadSpec>& tasks,
                              const torch::Tensor& denominators);

}  // namespace mmoe::models
