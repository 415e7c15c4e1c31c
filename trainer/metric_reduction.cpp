#include "trainer/metric_reduction.h"

#include <algorithm>

namespace mmoe::trainer {
namespace {

using distributed::ReduceOp;

void all_reduce_sums(std::vector<TaskMetricAccumulator>& accumulators, distributed::Communicator& communicator,
                     const torch::Device& device) {
  std::vector<double> packed;
  for (const auto& accumulator : accumulators) {
    const auto state = accumulator.state();
    packed.insert(packed.end(), state.begin(), state.end());
  }
  if (packed.empty()) return;
  std::vector<torch::Tensor> flat = {torch::tensor(packed, torch::kDouble).to(device)};
  communicator.all_reduce(flat, ReduceOp::kSum);
  const auto summed = flat[0].to(torch::kCPU).contiguous();
  const double* values = summed.data_ptr<double>();
  size_t offset = 0;
  for (auto& accumulator : accumulators) {
    const auto size = static_cast<size_t>(accumulator.state_size());
    accumulator.load_state(std::vector<double>(values + offset, values + offset + size));
    offset += size;
  }
}

// Every binary problem's positive and negative scores, in (task, problem, positive/negative)
// order: the same sequence of vectors on every rank, of rank-specific lengths.
std::vector<const std::vector<double>*> score_vectors(const std::vector<TaskMetricAccumulator>& accumulators) {
  std::vector<const std::vector<double>*> vectors;
  for (const auto& accumulator : accumulators) {
    for (const auto& samples : accumulator.auc_samples()) {
      vectors.push_back(&samples.positive());
      vectors.push_back(&samples.negative());
    }
  }
  return vectors;
}

void all_gather_auc_scores(std::vector<TaskMetricAccumulator>& accumulators, distributed::Communicator& communicator,
                           const torch::Device& device) {
  const auto vectors = score_vectors(accumulators);
  if (vectors.empty()) return;
  const auto count = static_cast<int64_t>(vectors.size());
  // [count] lengths of this rank's vectors -> [W, count].
  auto lengths = torch::empty({count}, torch::kInt64);
  for (int64_t i = 0; i < count; ++i) {
    lengths[i] = static_cast<int64_t>(vectors[static_cast<size_t>(i)]->size());
  }
  const auto all_lengths = communicator.all_gather(lengths.to(device)).to(torch::kCPU).contiguous();
  const int64_t world = all_lengths.size(0);
  const int64_t longest = std::max<int64_t>(1, all_lengths.sum(1).max().item<int64_t>());
  // [longest] this rank's scores, vector after vector, zero-padded -> [W, longest].
  auto scores = torch::zeros({longest}, torch::kDouble);
  double* out = scores.data_ptr<double>();
  for (const auto* vector : vectors) out = std::copy(vector->begin(), vector->end(), out);
  const auto all_scores = communicator.all_gather(scores.to(device)).to(torch::kCPU).contiguous();

  // Rebuild every ScoreSamples from the ranks' pieces, in rank order.
  std::vector<std::vector<double>> gathered(vectors.size());
  const auto* length_of = all_lengths.data_ptr<int64_t>();
  const auto* score_of = all_scores.data_ptr<double>();
  for (int64_t r = 0; r < world; ++r) {
    const double* piece = score_of + r * longest;
    for (int64_t i = 0; i < count; ++i) {
      const int64_t n = length_of[r * count + i];
      gathered[static_cast<size_t>(i)].insert(gathered[static_cast<size_t>(i)].end(), piece, piece + n);
      piece += n;
    }
  }
  size_t next = 0;
  for (auto& accumulator : accumulators) {
    std::vector<ScoreSamples> merged(accumulator.auc_samples().size());
    for (auto& samples : merged) {
      for (double score : gathered[next++]) samples.add(score, true);
      for (double score : gathered[next++]) samples.add(score, false);
    }
    accumulator.replace_auc_samples(std::move(merged));
  }
}

}  // namespace

void all_reduce_metrics(std::vector<TaskMetricAccumulator>& accumulators, distributed::Communicator& communicator,
                        const torch::Device& device) {
  if (communicator.world_size() == 1) return;
  all_reduce_sums(accumulators, communicator, device);
  all_gather_auc_scores(accumulators, communicator, device);
}

void all_reduce_gate_stats(models::GateStatsAccumulator& stats, distributed::Communicator& communicator,
                           const torch::Device& device) {
  if (communicator.world_size() == 1) return;
  std::vector<torch::Tensor> sums = {stats.packed_sums().to(device)};
  communicator.all_reduce(sums, ReduceOp::kSum);
  stats.load_packed_sums(sums[0].to(torch::kCPU));
}

}  // namespace mmoe::trainer
