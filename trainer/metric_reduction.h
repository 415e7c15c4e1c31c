#pragma once
// Cross-rank reduction of what an epoch accumulated, so that every rank reports — and decides
// on (scheduler, early stopping, best checkpoint) — the metrics of the whole split:
//   all_reduce_metrics: the summable state of every task (counts, confusion matrices, loss and
//     error sums) is all-reduced with op sum in one collective; AUC's state, the scores
//     themselves, is all-gathered (two collectives: the counts, then the scores padded to the
//     longest rank) and concatenated in rank order. Afterwards every rank's accumulators equal
//     one accumulator that saw every rank's rows (counts exactly; AUC exactly).
//   all_reduce_gate_stats: utilisation and entropy sums and row counts, summed.
// Every rank must call them at the same point with accumulators of the same tasks. `device` is
// where the collectives' tensors live (the training device: NCCL needs CUDA tensors). With a
// world of one they return at once.
#include <vector>

#include <torch/torch.h>

#include "distributed/communicator.h"
#include "models/gate_stats.h"
#include "trainer/task_metrics.h"

namespace mmoe::trainer {

void all_reduce_metrics(std::vector<TaskMetricAccumulator>& accumulators, distributed::Communicator& communicator,
                        const torch::Device& device);

void all_reduce_gate_stats(models::GateStatsAccumulator& stats, distributed::Communicator& communicator,
                           const torch::Device& device);

}  // namespace mmoe::trainer
