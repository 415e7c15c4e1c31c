#pragma once
// Packs a list of tensors into one contiguous buffer per dtype, so a list costs one collective
// per dtype instead of one per tensor.
#include <cstddef>
#include <vector>

#include <torch/torch.h>

namespace mmoe::distributed {

// Indices of `tensors` grouped by dtype, groups in order of first appearance.
std::vector<std::vector<size_t>> group_by_dtype(const std::vector<torch::Tensor>& tensors);

// The tensors at `indices`, flattened and concatenated: [sum of numel].
torch::Tensor pack(const std::vector<torch::Tensor>& tensors, const std::vector<size_t>& indices);

// Copies consecutive slices of `flat` back into the tensors at `indices` (in place).
void unpack(const torch::Tensor& flat, std::vector<torch::Tensor>& tensors, const std::vector<size_t>& indices);

}  // namespace mmoe::distributed
