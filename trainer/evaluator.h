#pragma once
// Runs the model over a whole split without gradients and returns per-task scores and losses.
#include <functional>
#include <optional>
#include <vector>

#include <torch/torch.h>

#include "data/prefetch_loader.h"
#include "data/split_data.h"
#include "models/multitask_model.h"
#include "trainer/task_metrics.h"

namespace mmoe::trainer {

struct SplitEvaluation {
  std::vector<TaskScores> tasks;  // per task, in the model's order
  double weighted_loss = 0.0;     // sum_t loss_weight_t * mean loss_t
};

// The per-task accumulators of a pass over batches (before any cross-rank reduction; see
// trainer/metric_reduction.h), and the scores they give.
using BatchSource = std::function<std::optional<data::Batch>()>;
std::vector<TaskMetricAccumulator> accumulate_batches(models::MultiTaskModelImpl& model, const BatchSource& next_batch,
                                                      const torch::Device& device,
                                                      const std::vector<TaskMetricOptions>& options = {});
SplitEvaluation summarize(const std::vector<TaskMetricAccumulator>& accumulators);

// Rows [begin, end) of a split held in memory, in row order, `batch_size` rows at a time.
BatchSource split_batches(const data::SplitData& split, int64_t batch_size, int64_t begin, int64_t end);

// Batches from `next_batch` until it returns nullopt (e.g. a PrefetchLoader streaming a split).
// `options`: per task, in the model's order (empty: defaults for every task).
SplitEvaluation evaluate_batches(models::MultiTaskModelImpl& model, const BatchSource& next_batch,
                                 const torch::Device& device, const std::vector<TaskMetricOptions>& options = {});

// The split held in memory, in row order, `batch_size` rows at a time.
SplitEvaluation evaluate_split(models::MultiTaskModelImpl& model, const data::SplitData& split, int64_t batch_size,
                               const torch::Device& device, const std::vector<TaskMetricOptions>& options = {});

}  // namespace mmoe::trainer
