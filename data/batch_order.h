#pragma once
// The order in which an epoch visits rows: a permutation drawn from (seed, epoch) alone, so a
// resumed run sees the same batches, and contiguous index ranges for evaluation.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace mmoe::data {

// [rows] int64 permutation, identical for identical (rows, seed, epoch).
torch::Tensor epoch_permutation(int64_t rows, uint64_t seed, int64_t epoch);

// Batches of `batch_size` over `order` (the last one may be shorter; drop_last drops it).
std::vector<torch::Tensor> split_into_batches(const torch::Tensor& order, int64_t batch_size, bool drop_last);

}  // namespace mmoe::data
